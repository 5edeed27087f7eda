"""SPEC §4 Webhooks: subscriptions, signed deliveries to real receivers, retries, the SSRF guard.

The session's embedded worker delivers, with WEBHOOK_ALLOW_PRIVATE_NETWORKS on, to receivers on
127.0.0.1 in this process; the refusals of private addresses use an app on a runtime without it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook as Verifier

from api.app import create_app
from models import utcnow
from tests.api.conftest import WAIT, Api, book, hours_from_now, publish, span
from tests.receiver import Received, Receiver, receiving
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep

SETTLE = 30.0  # an upper bound only: on a busy machine a worker may be slow


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as r:
        yield r


@pytest.fixture
def strict(admin: Api, runtime: Runtime) -> Iterator[Api]:
    """The API of a deployment without WEBHOOK_ALLOW_PRIVATE_NETWORKS (same database)."""
    local = create_runtime(replace(runtime.settings, webhook_allow_private_networks=False))
    yield Api(create_app(local).test_client(), admin.key)
    local.engine.dispose()


def subscribe(api: Api, url: str, *events: str) -> dict[str, Any]:
    r = api.post("/v1/webhooks", {"url": url, "events": list(events)})
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[return-value]


def verified(secret: str, got: Received) -> dict[str, Any]:
    """The event, once its Standard Webhooks signature checks out."""
    payload: dict[str, Any] = Verifier(secret).verify(got.body, got.headers)
    return payload


def eventually(check: Callable[[], Any], timeout: float = SETTLE,
               seen: Callable[[], Any] = lambda: None) -> Any:
    """Poll `check` until it returns something truthy; on time-out, say what `seen` shows."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out; last seen: {seen()}"
        time.sleep(0.05)
    return found


def deliveries(api: Api, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    r = api.get(f"/v1/webhooks/{webhook['id']}/deliveries")
    assert r.status_code == 200, r.json
    return r.json["deliveries"]  # type: ignore[no-any-return]


def settled(api: Api, webhook: dict[str, Any], attempts: int) -> dict[str, Any]:
    """The webhook's one delivery, once it has `attempts` attempts and no attempt holds it."""
    def check() -> dict[str, Any] | None:
        found = deliveries(api, webhook)
        assert len(found) <= 1, found
        done = found and len(found[0]["attempts"]) == attempts and (
            found[0]["status"] != "pending" or found[0]["next_attempt_at"] is not None)
        return found[0] if done else None
    return eventually(check, seen=lambda: deliveries(api, webhook))  # type: ignore[no-any-return]


def added_job(admin: Api, **extra: Any) -> dict[str, Any]:
    person = admin.person("interviewer")
    r = admin.post(f"/v1/people/{person['id']}/availability",
                   {"ranges": [span(0, 2)], **extra}, headers=WAIT)
    assert r.status_code in (200, 202), r.json
    job = eventually(lambda: (got := admin.get(f"/v1/jobs/{r.json['id']}").json)["status"]
                     in ("succeeded", "failed") and got)
    assert job["status"] == "succeeded", job
    return {**job, **{k: v for k, v in r.json.items() if k == "callback_secret"}}


def test_a_subscription_receives_signed_job_events(admin: Api, receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "job.succeeded")
    assert webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["job.succeeded"] and webhook["status"] == "active"

    job = added_job(admin)

    [got] = receiver.wait_for(1)
    event = verified(webhook["secret"], got)
    assert event["type"] == "job.succeeded"
    assert event["data"] == admin.get(f"/v1/jobs/{job['id']}").json
    assert got.headers["webhook-signature"].startswith("v1,")
    assert abs(int(got.headers["webhook-timestamp"]) - got.at) < 5
    with pytest.raises(Exception, match="signature"):
        Verifier(subscribe(admin, receiver.url, "job.failed")["secret"]).verify(
            got.body, got.headers)


def test_subscriptions_are_listed_read_and_never_show_their_secret(admin: Api) -> None:
    first = subscribe(admin, "http://127.0.0.1:9/a", "job.failed", "job.failed")
    second = subscribe(admin, "http://localhost:9/b", "interview.booked", "interview.cancelled")
    assert first["events"] == ["job.failed"]

    page = admin.get("/v1/webhooks", query_string={"limit": 1}).json
    rest = admin.get("/v1/webhooks", query_string={"cursor": page["next"]}).json
    assert [w["id"] for w in page["webhooks"] + rest["webhooks"]] == [first["id"], second["id"]]
    assert rest["next"] is None
    got = admin.get(f"/v1/webhooks/{second['id']}").json
    assert got == {k: v for k, v in second.items() if k != "secret"}
    assert "secret" not in json.dumps([page, rest, got])


def test_webhooks_are_for_admins(admin: Api) -> None:
    person = admin.person("interviewer")
    as_person = admin.as_key(person["api_key"])
    assert as_person.get("/v1/webhooks").status_code == 403
    assert as_person.post("/v1/webhooks", {"url": "http://127.0.0.1:9/",
                                           "events": ["job.failed"]}).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "http://127.0.0.1:9/", "events": ["job.exploded"]}, "events[0]"),
    ({"url": "http://127.0.0.1:9/", "events": []}, "events"),
    ({"url": "http://127.0.0.1:9/"}, "events"),
    ({"url": "ftp://127.0.0.1/", "events": ["job.failed"]}, "url"),
    ({"url": "file:///etc/passwd", "events": ["job.failed"]}, "url"),
    ({"url": "http://127.0.0.1:9/a b", "events": ["job.failed"]}, "url"),
    ({"url": "http://169.254.169.254/latest/meta-data/", "events": ["job.failed"]}, "url"),
    ({"url": "http://[fe80::1]/", "events": ["job.failed"]}, "url"),
    ({"url": "http://0.0.0.0:9/", "events": ["job.failed"]}, "url"),
    ({"url": "http://224.0.0.1/", "events": ["job.failed"]}, "url"),
])
def test_bad_subscriptions_are_422_even_with_private_networks_allowed(
    admin: Api, body: dict[str, Any], field: str
) -> None:
    r = admin.post("/v1/webhooks", body)
    assert r.status_code == 422, r.json
    assert r.content_type == "application/problem+json"
    assert [e["field"] for e in r.json["errors"]] == [field]
    assert admin.get("/v1/webhooks").json["webhooks"] == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://10.0.0.1/", "http://[::1]/",
                                 "http://2130706433/", "http://0x7f000001/",
                                 "http://localhost/", "http://[::ffff:127.0.0.1]/",
                                 "http://100.64.0.1/"])
def test_private_addresses_are_refused_unless_the_operator_allows_them(
    admin: Api, strict: Api, url: str
) -> None:
    r = strict.post("/v1/webhooks", {"url": url, "events": ["job.failed"]})
    assert r.status_code == 422, r.json
    assert "WEBHOOK_ALLOW_PRIVATE_NETWORKS" in r.json["detail"]
    assert admin.post("/v1/webhooks", {"url": url, "events": ["job.failed"]}).status_code == 201


def test_a_private_callback_url_is_refused_at_submission(strict: Api) -> None:
    person = strict.person("interviewer")
    r = strict.post(f"/v1/people/{person['id']}/availability",
                    {"ranges": [span(0, 1)], "callback_url": "http://127.0.0.1:9/"})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "callback_url"
    r = strict.post("/v1/matches", {"from": hours_from_now(0), "to": hours_from_now(5),
                                    "callback_url": "http://10.1.1.1/"})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "callback_url"
    assert strict.get("/v1/jobs").json["jobs"] == []


def test_a_jobs_callback_url_gets_its_event_signed_with_the_jobs_secret(
    admin: Api, receiver: Receiver
) -> None:
    job = added_job(admin, callback_url=receiver.url)
    secret = job["callback_secret"]
    assert secret.startswith("whsec_")

    [got] = receiver.wait_for(1)
    event = verified(secret, got)
    assert (event["type"], event["data"]["id"]) == ("job.succeeded", job["id"])
    assert "callback_secret" not in admin.get(f"/v1/jobs/{job['id']}").json


def test_a_match_with_a_callback_url_announces_its_result_there(admin: Api,
                                                                receiver: Receiver) -> None:
    r = admin.post("/v1/matches", {"from": hours_from_now(0), "to": hours_from_now(5),
                                   "callback_url": receiver.url}, headers=WAIT)
    assert r.status_code == 200, r.json
    [got] = receiver.wait_for(1)
    event = verified(r.json["callback_secret"], got)
    assert event["data"] == admin.get(f"/v1/jobs/{r.json['id']}").json


def test_a_failing_receiver_gets_the_event_on_a_later_attempt(admin: Api,
                                                              runtime: Runtime) -> None:
    with receiving(500, 500) as receiver:
        webhook = subscribe(admin, receiver.url, "job.succeeded")
        added_job(admin)
        first = settled(admin, webhook, 1)
        assert first["status"] == "pending"
        due = first["next_attempt_at"]
        assert due is not None

        time.sleep(1.1)  # so that each attempt's timestamp is a second of its own
        sweep(runtime, now=utcnow() + timedelta(minutes=1))
        settled(admin, webhook, 2)
        time.sleep(1.1)
        sweep(runtime, now=utcnow() + timedelta(minutes=10))
        done = settled(admin, webhook, 3)

        requests = receiver.wait_for(3)
    assert done["status"] == "succeeded" and done["next_attempt_at"] is None
    assert [(a["status_code"], a["error"]) for a in done["attempts"]] == [
        (500, "HTTP 500"), (500, "HTTP 500"), (204, None)]
    assert all(a["latency_ms"] >= 0 for a in done["attempts"])
    assert {r.headers["webhook-id"] for r in requests} == {done["id"]}
    stamps = [int(r.headers["webhook-timestamp"]) for r in requests]
    assert stamps == sorted(set(stamps)), "the timestamp is not fresh on each attempt"
    assert requests[0].body == requests[1].body == requests[2].body


def test_a_delivery_is_sent_again_on_request(admin: Api, receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "job.succeeded")
    added_job(admin)
    delivery = settled(admin, webhook, 1)
    assert delivery["status"] == "succeeded"

    path = f"/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}"
    r = admin.post(f"{path}/retry")

    assert r.status_code == 202 and r.json["status"] == "pending"
    first, again = receiver.wait_for(2)
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == delivery["id"]
    assert verified(webhook["secret"], again) == verified(webhook["secret"], first)
    assert len(settled(admin, webhook, 2)["attempts"]) == 2
    assert admin.get(path).json["status"] == "succeeded"


def test_unknown_webhooks_and_deliveries_are_404_naming_them(admin: Api) -> None:
    webhook = subscribe(admin, "http://127.0.0.1:9/", "job.failed")
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (f"/v1/webhooks/{missing}", f"/v1/webhooks/{missing}/deliveries",
                 "/v1/webhooks/nonsense"):
        r = admin.get(path)
        assert r.status_code == 404 and "webhook" in r.json["detail"], path
    r = admin.post(f"/v1/webhooks/{webhook['id']}/deliveries/{missing}/retry")
    assert r.status_code == 404 and f"delivery {missing}" in r.json["detail"]
    assert admin.delete(f"/v1/webhooks/{missing}").status_code == 404


def test_a_410_disables_the_subscription(admin: Api) -> None:
    with receiving(410) as receiver:
        webhook = subscribe(admin, receiver.url, "job.succeeded")
        added_job(admin)
        delivery = settled(admin, webhook, 1)
        added_job(admin)

        assert delivery["status"] == "failed"
        assert delivery["attempts"][0]["status_code"] == 410
        got = admin.get(f"/v1/webhooks/{webhook['id']}").json
        assert got["status"] == "disabled" and "410" in got["disabled_reason"]
        assert len(deliveries(admin, webhook)) == 1
        r = admin.post(f"/v1/webhooks/{webhook['id']}/deliveries/{delivery['id']}/retry")
        assert r.status_code == 409
        assert len(receiver.requests) == 1


def test_booking_and_cancelling_an_interview_are_announced(admin: Api,
                                                           receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "interview.booked", "interview.cancelled")
    candidate, interviewer = admin.person("candidate"), admin.person("interviewer")
    publish(admin, candidate, span(0, 2))
    publish(admin, interviewer, span(0, 2))

    booked = book(admin, candidate, [interviewer], 1)
    assert booked.status_code == 201
    assert admin.delete(f"/v1/interviews/{booked.json['id']}").status_code == 204

    first, second = receiver.wait_for(2)
    events = sorted((verified(webhook["secret"], got) for got in (first, second)),
                    key=lambda e: e["type"] != "interview.booked")
    assert [e["type"] for e in events] == ["interview.booked", "interview.cancelled"]
    assert events[0]["data"] == events[1]["data"] == booked.json


def test_a_moved_interview_is_announced_as_it_is_after_the_move(admin: Api,
                                                                 receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "interview.rescheduled")
    candidate, interviewer = admin.person("candidate"), admin.person("interviewer")
    publish(admin, candidate, span(0, 2))
    publish(admin, interviewer, span(0, 2))
    booked = book(admin, candidate, [interviewer], 0)

    moved = admin.patch(f"/v1/interviews/{booked.json['id']}",
                        {"start": hours_from_now(1), "title": "Moved"})
    assert moved.status_code == 200, moved.json

    [got] = receiver.wait_for(1)
    event = verified(webhook["secret"], got)
    assert event["type"] == "interview.rescheduled"
    assert event["data"] == moved.json == {**booked.json, "start": hours_from_now(1),
                                           "end": hours_from_now(2), "title": "Moved"}


def test_each_interview_a_match_books_is_announced(admin: Api, receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "interview.booked")
    people = [admin.person("candidate"), admin.person("candidate"),
              admin.person("interviewer"), admin.person("interviewer")]
    for person in people:
        publish(admin, person, span(0, 1))

    r = admin.post("/v1/matches", {"from": hours_from_now(0), "to": hours_from_now(1),
                                   "book": True}, headers=WAIT)

    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json
    booked = r.json["result"]["interviews"]
    got = [verified(webhook["secret"], g)["data"] for g in receiver.wait_for(2)]
    assert sorted(d["id"] for d in got) == sorted(i["id"] for i in booked)
    for data in got:
        assert data == admin.get(f"/v1/interviews/{data['id']}").json


def test_a_deleted_subscription_gets_nothing_more(admin: Api, runtime: Runtime) -> None:
    with receiving(500) as receiver:
        webhook = subscribe(admin, receiver.url, "job.succeeded")
        added_job(admin)
        assert settled(admin, webhook, 1)["status"] == "pending"

        assert admin.delete(f"/v1/webhooks/{webhook['id']}").status_code == 204
        sweep(runtime, now=utcnow() + timedelta(hours=1))
        added_job(admin)
        time.sleep(0.5)

        assert len(receiver.requests) == 1
    assert admin.get(f"/v1/webhooks/{webhook['id']}").status_code == 404
    assert admin.get(f"/v1/webhooks/{webhook['id']}/deliveries").status_code == 404


def test_deliveries_are_listed_by_status_page_by_page(admin: Api, receiver: Receiver) -> None:
    webhook = subscribe(admin, receiver.url, "job.succeeded")
    added_job(admin)
    added_job(admin)
    receiver.wait_for(2)
    eventually(lambda: all(d["status"] == "succeeded" for d in deliveries(admin, webhook)))

    path = f"/v1/webhooks/{webhook['id']}/deliveries"
    page = admin.get(path, query_string={"limit": 1}).json
    rest = admin.get(path, query_string={"cursor": page["next"]}).json
    assert len(page["deliveries"]) == len(rest["deliveries"]) == 1
    assert rest["next"] is None
    assert admin.get(path, query_string={"status": "failed"}).json["deliveries"] == []
    assert admin.get(path, query_string={"status": "lost"}).status_code == 422
    listed = page["deliveries"][0]
    assert set(listed) == {"id", "type", "status", "created_at", "next_attempt_at", "attempts"}
    assert set(listed["attempts"][0]) == {"at", "status_code", "latency_ms", "error"}


def test_the_openapi_document_describes_the_webhook_operations(anon: Api) -> None:
    doc = anon.get("/openapi.json").json
    ops = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert {("/v1/webhooks", "post"), ("/v1/webhooks", "get"),
            ("/v1/webhooks/{webhook_id}", "delete"),
            ("/v1/webhooks/{webhook_id}/deliveries", "get"),
            ("/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", "post")} <= ops
    assert "callback_secret" in doc["components"]["schemas"]["JobAccepted"]["properties"]
