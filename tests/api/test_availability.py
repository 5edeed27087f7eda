"""Availability: writes are jobs, reads are merged ranges, validation happens before queueing."""

import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select

from api.app import create_app
from models import AvailabilityHour, Interview, InterviewParticipant, Job
from tests.api.conftest import WAIT, Api, hours_from_now, span
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime


def _jobs(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def test_adding_hours_answers_202_and_the_job_adds_them(admin: Api) -> None:
    person = admin.person("interviewer")
    r = admin.post(f"/v1/people/{person['id']}/availability", {"ranges": [span(2, 5)]})
    assert r.status_code == 202
    assert r.headers["Location"] == f"/v1/jobs/{r.json['id']}"
    assert r.json["status"] in ("queued", "running", "succeeded")
    assert r.json["kind"] == "availability.add"
    done = admin.get(r.headers["Location"])
    for _ in range(200):
        if done.json["status"] == "succeeded":
            break
        time.sleep(0.05)
        done = admin.get(r.headers["Location"])
    assert done.json["result"] == {"added": 3, "already_present": 0}
    got = admin.get(f"/v1/people/{person['id']}/availability")
    assert got.json == {"ranges": [span(2, 5)], "booked": [], "busy": []}


def test_prefer_wait_returns_the_finished_job(admin: Api) -> None:
    person = admin.person("candidate")
    r = admin.post(f"/v1/people/{person['id']}/availability", {"ranges": [span(0, 2)]},
                   headers=WAIT)
    assert r.status_code == 200
    assert r.json["status"] == "succeeded"
    assert r.headers["Preference-Applied"] == "wait=10"
    assert r.headers["Location"] == f"/v1/jobs/{r.json['id']}"


def test_prefer_wait_above_30_is_treated_as_30(admin: Api) -> None:
    person = admin.person("candidate")
    r = admin.post(f"/v1/people/{person['id']}/availability", {"ranges": [span(0, 1)]},
                   headers={"Prefer": "wait=600"})
    assert r.status_code == 200
    assert r.headers["Preference-Applied"] == "wait=30"


def test_adding_an_hour_twice_is_a_no_op(admin: Api) -> None:
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    admin.post(path, {"ranges": [span(0, 4)]}, headers=WAIT)
    r = admin.post(path, {"ranges": [span(2, 6), span(3, 5)]}, headers=WAIT)
    assert r.json["result"] == {"added": 2, "already_present": 2}
    assert admin.get(path).json["ranges"] == [span(0, 6)]


def test_hours_are_removed_by_delete_or_by_the_remove_action(admin: Api) -> None:
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    admin.post(path, {"ranges": [span(0, 6)]}, headers=WAIT)
    r = admin.delete(path, {"ranges": [span(0, 2)]}, headers=WAIT)
    assert r.json["result"] == {"removed": 2, "not_present": 0}
    r = admin.post(path + ":remove", {"ranges": [span(5, 8)]}, headers=WAIT)
    assert r.json["kind"] == "availability.remove"
    assert r.json["result"] == {"removed": 1, "not_present": 2}
    assert admin.get(path).json["ranges"] == [span(2, 5)]


def test_removing_a_booked_hour_fails_with_409_and_changes_nothing(admin: Api,
                                                                    runtime: Runtime) -> None:
    candidate, interviewer = admin.person("candidate"), admin.person("interviewer")
    for person in (candidate, interviewer):
        admin.post(f"/v1/people/{person['id']}/availability", {"ranges": [span(0, 3)]},
                   headers=WAIT)
    booked = admin.get(f"/v1/people/{interviewer['id']}/availability").json["ranges"][0]["start"]
    with runtime.sessions.begin() as session:
        start = datetime.fromisoformat(booked)
        interview = Interview(candidate_id=candidate["id"], start=start,
                              end=start + timedelta(hours=1))
        session.add(interview)
        session.flush()
        for person in (candidate, interviewer):
            session.add(InterviewParticipant(interview_id=interview.id, person_id=person["id"],
                                             start=start))
    path = f"/v1/people/{interviewer['id']}/availability"
    r = admin.delete(path, {"ranges": [span(0, 3)]}, headers=WAIT)
    assert r.json["status"] == "failed"
    assert r.json["error"]["status"] == 409
    assert r.json["error"]["type"] and r.json["error"]["title"] and r.json["error"]["detail"]
    got = admin.get(path).json
    assert got["ranges"] == [span(0, 3)]
    assert got["booked"] == [span(0, 1)]


def test_a_range_that_breaks_a_rule_is_422_and_queues_nothing(admin: Api,
                                                              runtime: Runtime) -> None:
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    now_hour = hours_from_now(-1)
    bad = [
        {"start": hours_from_now(1).replace(":00:00Z", ":30:00Z"), "end": hours_from_now(3)},
        {"start": hours_from_now(3), "end": hours_from_now(3)},
        {"start": hours_from_now(4), "end": hours_from_now(2)},
        {"start": now_hour, "end": hours_from_now(1)},
        {"start": hours_from_now(1), "end": hours_from_now(366 * 24)},
        {"start": "tomorrow", "end": hours_from_now(1)},
        {"start": 1767225600, "end": hours_from_now(1)},
        {"start": "0001-01-01T00:00:00Z", "end": "9999-12-31T23:00:00Z"},
    ]
    for rng in bad:
        r = admin.post(path, {"ranges": [span(0, 1), rng]})
        assert r.status_code == 422, (rng, r.json)
        assert r.content_type == "application/problem+json"
        assert r.json["errors"][0]["field"].startswith("ranges[1]"), r.json
    assert admin.post(path, {"ranges": []}).status_code == 422
    assert admin.post(path, {}).status_code == 422
    assert _jobs(runtime) == 0


def test_naive_datetimes_are_read_in_the_calendar_zone(admin: Api, runtime: Runtime) -> None:
    kolkata = create_runtime(replace(runtime.settings, calendar_tz="Asia/Kolkata"))
    api = Api(create_app(kolkata).test_client(), admin.key)
    person = admin.person("interviewer")
    path = f"/v1/people/{person['id']}/availability"
    on_local_hour = {"start": "2027-01-05T10:00:00", "end": "2027-01-05T12:00:00"}
    r = api.post(path, {"ranges": [on_local_hour]}, headers=WAIT)
    assert r.status_code == 200, r.json
    got = admin.get(path, query_string={"from": "2027-01-05T00:00:00Z",
                                        "to": "2027-01-06T00:00:00Z"}).json
    assert got["ranges"] == [{"start": "2027-01-05T04:30:00Z", "end": "2027-01-05T06:30:00Z"}]
    on_utc_hour = {"start": "2027-01-05T10:00:00Z", "end": "2027-01-05T11:00:00Z"}
    assert api.post(path, {"ranges": [on_utc_hour]}).status_code == 422
    kolkata.engine.dispose()


def test_people_write_only_their_own_availability(admin: Api) -> None:
    me, other = admin.person("interviewer"), admin.person("interviewer")
    as_me = admin.as_key(me["api_key"])
    body = {"ranges": [span(0, 1)]}
    assert as_me.post(f"/v1/people/{me['id']}/availability", body).status_code == 202
    assert as_me.post(f"/v1/people/{other['id']}/availability", body).status_code == 403
    assert as_me.post("/v1/people/nobody/availability", body).status_code == 403
    assert admin.post("/v1/people/nobody/availability", body).status_code == 404


def test_reading_a_window_needs_to_after_from_and_at_most_366_days(admin: Api) -> None:
    person = admin.person("candidate")
    path = f"/v1/people/{person['id']}/availability"
    assert admin.get(path, query_string={"from": hours_from_now(5),
                                         "to": hours_from_now(5)}).status_code == 422
    assert admin.get(path, query_string={"from": hours_from_now(0),
                                         "to": hours_from_now(367 * 24)}).status_code == 422
    assert admin.get(path, query_string={"from": "garbage"}).status_code == 422


def test_an_import_adds_everyones_hours_in_one_job(admin: Api, runtime: Runtime) -> None:
    people = [admin.person("interviewer") for _ in range(3)]
    entries = [{"person": p["id"], "ranges": [span(0, 24 * 30)]} for p in people]
    entries.append({"person": people[0]["id"], "ranges": [span(24 * 30, 24 * 31)]})
    r = admin.post("/v1/availability/imports", {"entries": entries}, headers=WAIT)
    assert r.status_code == 200, r.json
    assert r.json["result"] == {"people": 3, "added": 3 * 720 + 24, "already_present": 0}
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AvailabilityHour)) == 3 * 720 + 24


def test_an_import_naming_an_unknown_person_is_404_and_queues_nothing(
        admin: Api, runtime: Runtime) -> None:
    person = admin.person("interviewer")
    entries = [{"person": person["id"], "ranges": [span(0, 5)]},
               {"person": "6d0c1a3e-58a4-4e0b-9a57-1b7d6f1f7c11", "ranges": [span(0, 5)]}]
    r = admin.post("/v1/availability/imports", {"entries": entries})
    assert r.status_code == 404
    assert "6d0c1a3e-58a4-4e0b-9a57-1b7d6f1f7c11" in r.json["detail"]
    assert _jobs(runtime) == 0


def test_only_admins_import(admin: Api) -> None:
    person = admin.person("interviewer")
    r = admin.as_key(person["api_key"]).post(
        "/v1/availability/imports", {"entries": [{"person": person["id"], "ranges": [span(0, 1)]}]})
    assert r.status_code == 403


def test_an_import_takes_100000_hours(admin: Api, app: Flask) -> None:
    people = [admin.person("interviewer") for _ in range(14)]
    entries = [{"person": p["id"], "ranges": [span(0, 7200)]} for p in people]
    r = admin.post("/v1/availability/imports", {"entries": entries}, headers={"Prefer": "wait=30"})
    assert r.status_code == 200, r.json
    assert r.json["result"]["added"] == 14 * 7200


def test_an_add_is_one_statement_and_one_for_a_person_not_found_queues_nothing(
        admin: Api, runtime: Runtime) -> None:
    """The person is found by the job's own INSERT (workers/people.py `submit_for`): one
    statement a request, and a 404 leaves no job behind."""
    person = admin.person("candidate")
    body = {"ranges": [span(0, 1)]}
    statements: list[str] = []
    requests = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == requests:
            statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        assert admin.post(f"/v1/people/{person['id']}/availability", body).status_code == 202
        assert [s.split()[:3] for s in statements] == [["INSERT", "INTO", "jobs"]]
        with runtime.sessions() as session:
            jobs = session.scalar(select(func.count()).select_from(Job))
        statements.clear()
        assert admin.post(f"/v1/people/{uuid.uuid4()}/availability", body).status_code == 404
        assert len(statements) == 1
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == jobs
