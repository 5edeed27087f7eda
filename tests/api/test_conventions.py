"""SPEC §3: idempotency keys, job visibility, size limits, and one error shape everywhere."""

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, text

from api import writes
from models import ApiKey, IdempotencyKey, Job, Person
from tests.api.conftest import WAIT, Api, span
from workers.queue.runtime import Runtime


def _count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_retried_post_with_the_same_key_replays_the_first_answer(admin: Api,
                                                                   runtime: Runtime) -> None:
    body = {"name": "Ida", "email": "ida@example.com", "role": "interviewer"}
    first = admin.post("/v1/people", body, headers={"Idempotency-Key": "k-1"})
    again = admin.post("/v1/people", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == {**first.json, "api_key": None}, "the key is kept only as a hash"
    with runtime.sessions() as session:
        stored = session.scalars(select(IdempotencyKey.response_body)).all()
    assert first.json["api_key"] not in str(stored)
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(runtime, Person) == 1


def test_a_retried_job_submission_creates_one_job(admin: Api, runtime: Runtime) -> None:
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    body = {"ranges": [span(0, 2)]}
    first = admin.post(path, body, headers={"Idempotency-Key": "job-1"})
    again = admin.post(path, body, headers={"Idempotency-Key": "job-1"})
    assert first.status_code == 202 and again.status_code == 202
    assert again.json["id"] == first.json["id"]
    assert _count(runtime, Job) == 1


def test_the_same_key_with_another_body_is_422(admin: Api, runtime: Runtime) -> None:
    admin.post("/v1/people", {"name": "A", "email": "a@example.com", "role": "candidate"},
               headers={"Idempotency-Key": "k-2"})
    r = admin.post("/v1/people", {"name": "B", "email": "b@example.com", "role": "candidate"},
                   headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422
    assert _count(runtime, Person) == 1


def test_a_duplicate_while_the_first_is_in_flight_is_409(admin: Api, runtime: Runtime) -> None:
    body = {"name": "C", "email": "c@example.com", "role": "candidate"}
    first = admin.post("/v1/people", {**body, "email": "first@example.com"},
                       headers={"Idempotency-Key": "warm-up"})
    assert first.status_code == 201
    with runtime.sessions() as session:
        owner = session.scalar(select(IdempotencyKey.api_key_id))
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(b"POST/v1/people\0" + raw).hexdigest()
    with runtime.sessions.begin() as session:  # the first request holds the key, unfinished
        session.add(IdempotencyKey(api_key_id=owner, key="k-3", request_hash=digest))
    r = admin.post("/v1/people", body, headers={"Idempotency-Key": "k-3"})
    assert r.status_code == 409
    assert _count(runtime, Person) == 1


def test_idempotency_keys_are_scoped_to_the_api_key(admin: Api, runtime: Runtime) -> None:
    me = admin.person("interviewer")
    body = {"ranges": [span(0, 1)]}
    path = f"/v1/people/{me['id']}/availability"
    a = admin.post(path, body, headers={"Idempotency-Key": "shared"})
    b = admin.as_key(me["api_key"]).post(path, body, headers={"Idempotency-Key": "shared"})
    assert a.json["id"] != b.json["id"]


def test_a_failed_request_does_not_burn_its_key(admin: Api) -> None:
    bad = admin.post("/v1/people", {"name": "", "email": "d@example.com", "role": "candidate"},
                     headers={"Idempotency-Key": "k-4"})
    assert bad.status_code == 422
    fixed = admin.post("/v1/people", {"name": "", "email": "d@example.com", "role": "candidate"},
                       headers={"Idempotency-Key": "k-4"})
    assert fixed.status_code == 422


def test_others_jobs_are_404_for_non_admins(admin: Api) -> None:
    me, other = admin.person("interviewer"), admin.person("interviewer")
    mine = admin.as_key(me["api_key"]).post(f"/v1/people/{me['id']}/availability",
                                            {"ranges": [span(0, 1)]}, headers=WAIT).json
    theirs = admin.as_key(other["api_key"]).post(f"/v1/people/{other['id']}/availability",
                                                 {"ranges": [span(0, 1)]}, headers=WAIT).json
    as_me = admin.as_key(me["api_key"])
    assert as_me.get(f"/v1/jobs/{mine['id']}").status_code == 200
    r = as_me.get(f"/v1/jobs/{theirs['id']}")
    assert r.status_code == 404 and theirs["id"] in r.json["detail"]
    assert [j["id"] for j in as_me.get("/v1/jobs").json["jobs"]] == [mine["id"]]
    assert {j["id"] for j in admin.get("/v1/jobs").json["jobs"]} == {mine["id"], theirs["id"]}


def test_jobs_are_listed_by_status_and_kind(admin: Api) -> None:
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    added = admin.post(path, {"ranges": [span(0, 2)]}, headers=WAIT).json
    removed = admin.delete(path, {"ranges": [span(0, 1)]}, headers=WAIT).json
    by_kind = admin.get("/v1/jobs", query_string={"kind": "availability.remove"}).json
    assert [j["id"] for j in by_kind["jobs"]] == [removed["id"]]
    done = admin.get("/v1/jobs", query_string={"status": "succeeded", "limit": 1}).json
    assert done["jobs"][0]["id"] == added["id"] and done["next"]
    assert admin.get("/v1/jobs", query_string={"status": "lost"}).status_code == 422


def test_an_oversized_body_is_413(admin: Api) -> None:
    r = admin.client.post("/v1/people", data=b"x" * (32 * 1024 * 1024 + 1),
                          headers={"Authorization": f"Bearer {admin.key}",
                                   "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.content_type == "application/problem+json"


def test_deeply_nested_json_is_400(admin: Api) -> None:
    r = admin.client.post("/v1/people", data=b"[" * 100_000 + b"]" * 100_000,
                          headers={"Authorization": f"Bearer {admin.key}",
                                   "Content-Type": "application/json"})
    assert r.status_code == 400


def test_unknown_routes_and_methods_answer_problem_json(admin: Api) -> None:
    r = admin.get("/v1/nothing-here")
    assert r.status_code == 404 and r.content_type == "application/problem+json"
    r = admin.client.put("/v1/people", headers={"Authorization": f"Bearer {admin.key}"})
    assert r.status_code == 405 and r.content_type == "application/problem+json"


def test_the_openapi_document_lists_every_v1_operation(anon: Api) -> None:
    doc = anon.get("/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    ops = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert ("/v1/people", "post") in ops
    assert ("/v1/people/{person_id}/availability", "delete") in ops
    assert ("/v1/people/{person_id}/availability:remove", "post") in ops
    assert ("/v1/availability/imports", "post") in ops
    assert ("/v1/jobs/{job_id}", "get") in ops
    assert "Problem" in doc["components"]["schemas"]


def _age_claims(runtime: Runtime, seconds: float) -> None:
    """As if `seconds` had passed since every claim was made."""
    with runtime.sessions.begin() as session:
        for claim in session.scalars(select(IdempotencyKey)):
            claim.created_at -= timedelta(seconds=seconds)


def _claim_left_by_a_crash(admin: Api, runtime: Runtime, key: str, body: dict[str, str]) -> None:
    """The claim a request leaves when its server dies before it answers."""
    admin.person("candidate")  # the admin key's id is then the only owner of a claim
    with runtime.sessions() as session:
        owner = session.scalar(select(ApiKey.id).where(ApiKey.role == "admin"))
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(b"POST/v1/people\0" + raw).hexdigest()
    with runtime.sessions.begin() as session:
        session.add(IdempotencyKey(api_key_id=owner, key=key, request_hash=digest,
                                   created_at=runtime.clock.now()))


def test_a_claim_left_by_a_crash_is_taken_over_once_a_request_could_not_still_run(
        admin: Api, runtime: Runtime) -> None:
    body = {"name": "Crash", "email": "crash@example.com", "role": "candidate"}
    _claim_left_by_a_crash(admin, runtime, "crashed", body)
    early = admin.post("/v1/people", body, headers={"Idempotency-Key": "crashed"})
    assert early.status_code == 409 and early.headers["Retry-After"] == "1"
    _age_claims(runtime, writes.CLAIM_LIFETIME.total_seconds())
    retry = admin.post("/v1/people", body, headers={"Idempotency-Key": "crashed"})
    assert retry.status_code == 201, retry.json
    again = admin.post("/v1/people", body, headers={"Idempotency-Key": "crashed"})
    assert again.status_code == 201 and again.json["id"] == retry.json["id"]
    assert _count(runtime, Person) == 2  # the warm-up candidate, and Crash once


def test_a_request_that_outlives_its_claim_changes_nothing_and_its_retry_applies_once(
        admin: Api, runtime: Runtime) -> None:
    """The first request waits on a lock past its claim's life; a retry takes the claim over.
    When the lock goes, the first must not commit: only the retry's job exists."""
    person = admin.person("interviewer")
    path, body = f"/v1/people/{person['id']}/availability", {"ranges": [span(0, 2)]}
    headers = {"Idempotency-Key": "slow"}
    with runtime.engine.connect() as blocker:  # no job can be written until it lets go
        blocker.execute(text("LOCK TABLE jobs IN EXCLUSIVE MODE"))
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(admin.post, path, body, headers=headers)
            _wait_for(lambda: _count(runtime, IdempotencyKey) == 1)
            _age_claims(runtime, writes.CLAIM_LIFETIME.total_seconds())
            retry = pool.submit(admin.post, path, body, headers=headers)
            _wait_for(lambda: _claimed_within(runtime, writes.CLAIM_LIFETIME))  # taken over
            blocker.rollback()
            first_answer, retry_answer = first.result(timeout=30), retry.result(timeout=30)
    assert first_answer.status_code == 409, first_answer.json
    assert "took it over" in first_answer.json["detail"]
    assert retry_answer.status_code == 202, retry_answer.json
    with runtime.sessions() as session:
        assert session.scalars(select(Job.id)).all() == [uuid.UUID(retry_answer.json["id"])]


def _claimed_within(runtime: Runtime, age: timedelta) -> bool:
    with runtime.sessions() as session:
        made = session.scalar(select(IdempotencyKey.created_at))
    return made is not None and runtime.clock.now() - made < age


def test_a_server_alone_on_its_calendar_releases_unanswered_claims_as_it_starts(
        admin: Api, runtime: Runtime) -> None:
    body = {"name": "Restart", "email": "restart@example.com", "role": "candidate"}
    _claim_left_by_a_crash(admin, runtime, "restarted", body)
    admin.post("/v1/people", {**body, "email": "kept@example.com"},
               headers={"Idempotency-Key": "answered"})
    assert writes.release_unanswered(runtime.sessions) == 1
    retry = admin.post("/v1/people", body, headers={"Idempotency-Key": "restarted"})
    assert retry.status_code == 201, retry.json
    kept = admin.post("/v1/people", {**body, "email": "kept@example.com"},
                      headers={"Idempotency-Key": "answered"})
    assert kept.headers.get("Idempotent-Replayed") == "true"


def _wait_for(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
