"""Webhook events and deliveries on a real database: recorded with their cause, published after
commit or by the sweep, attempted, signed, retried on a schedule kept in the database."""

from __future__ import annotations

import json
import random
import threading
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook as Verifier

from models import Webhook, WebhookAttempt, WebhookDelivery, utcnow
from tests.conftest import ManualClock
from tests.receiver import receiving
from tests.workers.support import (
    add_hours,
    add_person,
    at,
    deliver,
    drain,
    job_row,
    make_runtime,
    ranges,
    set_job,
    submit,
)
from workers import deliveries, outbox, resources, signing
from workers.interviews import book
from workers.queue import attempts, routes
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep

EVERYTHING = ["job.succeeded", "job.failed", "interview.booked", "interview.rescheduled",
              "interview.cancelled"]
LEASE = 30.0
DELIVER = routes.TASKS[outbox.DELIVERY]


class Abandoned(Exception):
    """The transaction failed after its change."""


def subscribe(runtime: Runtime, url: str, events: list[str] | None = None,
              disabled: bool = False) -> Webhook:
    with runtime.sessions.begin() as session:
        webhook = Webhook(url=url, events=events or EVERYTHING, secret=signing.new_secret(),
                          created_at=utcnow(), disabled_at=utcnow() if disabled else None)
        session.add(webhook)
    return webhook


def deliveries_of(runtime: Runtime) -> list[WebhookDelivery]:
    with runtime.sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


def delivery(runtime: Runtime, ident: uuid.UUID) -> WebhookDelivery:
    with runtime.sessions() as session:
        found = session.get(WebhookDelivery, ident)
        assert found is not None
        return found


def attempts_of(runtime: Runtime, ident: uuid.UUID) -> list[WebhookAttempt]:
    with runtime.sessions() as session:
        return list(session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id == ident).order_by(WebhookAttempt.at)))


def book_one(runtime: Runtime, hour: int = 9) -> uuid.UUID:
    """Book an interview in a transaction of its own; its event is published after commit."""
    candidate, interviewer = add_person(runtime, "candidate"), add_person(runtime)
    add_hours(runtime, candidate, hour)
    add_hours(runtime, interviewer, hour)
    with runtime.sessions.begin() as session:
        return book(session, candidate, [interviewer], at(hour), runtime.clock.now(),
                    runtime.settings.tz).id


def attempt(runtime: Runtime, ident: uuid.UUID) -> str | None:
    """One attempt as the delivery task makes it, with webhooks to 127.0.0.1 allowed."""
    allowed = replace(runtime, settings=replace(runtime.settings,
                                                webhook_allow_private_networks=True))
    return attempts.deliver(allowed, ident)


def one_event(runtime: Runtime, url: str) -> WebhookDelivery:
    """A subscription to `url` and one interview.booked delivery for it, its message drained."""
    subscribe(runtime, url)
    book_one(runtime)
    drain(runtime)
    [only] = deliveries_of(runtime)
    return only


def test_the_retry_schedule_starts_within_seconds_and_lasts_at_least_a_day() -> None:
    waits = [deliveries.wait_before(n) for n in range(1, deliveries.MAX_ATTEMPTS)]
    assert timedelta(seconds=5) <= waits[0] <= timedelta(seconds=10)
    assert waits == sorted(waits) and waits[1] > waits[0]
    assert sum(waits, timedelta()) >= timedelta(hours=24)

    class Highest(random.Random):
        def random(self) -> float:
            return 0.999999

    jittered = [deliveries.wait_before(n, Highest()) for n in range(1, deliveries.MAX_ATTEMPTS)]
    assert jittered[0] <= timedelta(seconds=10)
    assert all(w < j for w, j in zip(waits, jittered, strict=True))
    rng = random.Random(7)
    spread = {deliveries.wait_before(1, rng) for _ in range(20)}
    assert len(spread) == 20 and all(timedelta(seconds=5) <= w <= timedelta(seconds=7.5)
                                     for w in spread)


def test_a_booking_records_a_delivery_for_each_active_subscriber_to_its_type(
    runtime: Runtime,
) -> None:
    wanted = subscribe(runtime, "http://127.0.0.1:9/a", ["interview.booked"])
    subscribe(runtime, "http://127.0.0.1:9/b", ["job.succeeded"])
    subscribe(runtime, "http://127.0.0.1:9/c", ["interview.booked"], disabled=True)

    interview_id = book_one(runtime)

    [row] = deliveries_of(runtime)
    assert (row.webhook_id, row.type, row.status) == (wanted.id, "interview.booked", "pending")
    body = json.loads(row.body)
    assert list(body) == ["type", "timestamp", "data"]
    assert body["data"]["id"] == str(interview_id)
    assert [(m.task, m.job_id) for m in drain(runtime)] == [(DELIVER, str(row.id))]


def test_a_rolled_back_booking_records_and_publishes_no_event(runtime: Runtime) -> None:
    subscribe(runtime, "http://127.0.0.1:9/a")
    candidate, interviewer = add_person(runtime, "candidate"), add_person(runtime)
    add_hours(runtime, candidate, 9)
    add_hours(runtime, interviewer, 9)

    with pytest.raises(Abandoned), runtime.sessions.begin() as session:
        book(session, candidate, [interviewer], at(9), runtime.clock.now(), runtime.settings.tz)
        raise Abandoned

    assert deliveries_of(runtime) == []
    assert drain(runtime) == []


def test_an_event_recorded_while_the_broker_is_down_is_kept_and_published_by_the_sweep(
    runtime: Runtime, unreachable_broker: Runtime
) -> None:
    subscribe(runtime, "http://127.0.0.1:9/a")

    book_one(unreachable_broker)
    assert unreachable_broker.publisher.wait_idle(10)

    [row] = deliveries_of(runtime)
    assert row.status == "pending" and row.published_at is None
    report = sweep(runtime)  # a worker whose broker is up
    assert report.deliveries == 1
    assert [(m.task, m.job_id) for m in drain(runtime)] == [(DELIVER, str(row.id))]
    assert sweep(runtime).deliveries == 0, "published twice"


def test_a_finished_job_is_announced_to_its_callback_url_and_to_subscribers(
    runtime: Runtime,
) -> None:
    webhook = subscribe(runtime, "http://127.0.0.1:9/a", ["job.succeeded"])
    person = add_person(runtime)
    with runtime.sessions.begin() as session:
        job_id = outbox.submit(session, "availability.add",
                               {"person": str(person), "ranges": ranges((9, 10))},
                               now=runtime.clock.now(), submitted_by=None,
                               callback_url="http://127.0.0.1:9/cb").id

    deliver(runtime, job_id)

    job = job_row(runtime, job_id)
    assert job.status == "succeeded" and job.callback_secret is not None
    rows = deliveries_of(runtime)
    assert {(r.webhook_id, r.job_id) for r in rows} == {(webhook.id, None), (None, job_id)}
    for row in rows:
        assert json.loads(row.body)["data"] == resources.job(job)
        assert row.type == "job.succeeded"


def test_a_failed_job_is_announced_as_failed(runtime: Runtime) -> None:
    subscribe(runtime, "http://127.0.0.1:9/a", ["job.failed"])
    job_id = submit(runtime, "availability.add",
                    {"person": str(uuid.uuid4()), "ranges": ranges((9, 10))})

    deliver(runtime, job_id)

    [row] = deliveries_of(runtime)
    data = json.loads(row.body)["data"]
    assert (row.type, data["status"], data["error"]["status"]) == ("job.failed", "failed", 404)


def test_a_job_the_sweep_gives_up_on_is_announced_as_failed(runtime: Runtime) -> None:
    subscribe(runtime, "http://127.0.0.1:9/a", ["job.failed"])
    job_id = submit(runtime, "availability.add",
                    {"person": str(add_person(runtime)), "ranges": ranges((9, 10))})
    set_job(runtime, job_id, attempts=runtime.settings.job_max_attempts)

    assert sweep(runtime).given_up == 1

    [row] = deliveries_of(runtime)
    body = json.loads(row.body)
    assert (body["type"], body["data"]["id"], body["data"]["error"]["title"]) == (
        "job.failed", str(job_id), "Gave up")


def test_an_attempt_is_signed_and_a_duplicate_message_is_a_no_op(runtime: Runtime) -> None:
    with receiving() as receiver:
        row = one_event(runtime, receiver.url)
        secret = subscribe_secret(runtime, row)

        status = attempt(runtime, row.id)
        again = attempt(runtime, row.id)

        [got] = receiver.wait_for(1)
    assert (status, again) == ("succeeded", None)
    assert Verifier(secret).verify(got.body, got.headers) == json.loads(row.body)
    assert got.headers["webhook-id"] == str(row.id)
    [recorded] = attempts_of(runtime, row.id)
    assert (recorded.status_code, recorded.error) == (204, None)
    assert recorded.latency_ms >= 0


def subscribe_secret(runtime: Runtime, row: WebhookDelivery) -> str:
    with runtime.sessions() as session:
        webhook = session.get(Webhook, row.webhook_id)
        assert webhook is not None
        return webhook.secret


def test_a_failed_attempt_is_retried_when_the_sweep_finds_it_due(runtime: Runtime) -> None:
    with receiving(500) as receiver:
        row = one_event(runtime, receiver.url)

        assert attempt(runtime, row.id) == "pending"
        failed = delivery(runtime, row.id)
        [first] = attempts_of(runtime, row.id)
        assert failed.next_attempt_at is not None
        wait = failed.next_attempt_at - first.at
        assert timedelta(seconds=5) <= wait <= timedelta(seconds=7.5)
        assert attempt(runtime, row.id) is None

        assert sweep(runtime).deliveries == 0, "published before it was due"
        assert sweep(runtime, now=utcnow() + timedelta(minutes=1)).deliveries == 1
        assert [m.job_id for m in drain(runtime)] == [str(row.id)]
        assert attempt(runtime, row.id) == "succeeded"

        one, two = receiver.wait_for(2)
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == str(row.id)
    assert [(a.status_code, a.error) for a in attempts_of(runtime, row.id)] == [
        (500, "HTTP 500"), (204, None)]


def test_an_address_refused_at_send_time_is_a_failed_attempt_that_is_retried(
    runtime: Runtime,
) -> None:
    with receiving() as receiver:
        row = one_event(runtime, receiver.url)  # registered directly, as if allowed then

        runtime.celery.tasks[DELIVER](str(row.id))  # the runtime has no flag

        assert receiver.requests == []
    [attempt] = attempts_of(runtime, row.id)
    assert attempt.status_code is None
    assert attempt.error is not None and attempt.error.startswith("refused:")
    assert "loopback" in attempt.error
    assert delivery(runtime, row.id).status == "pending"


def test_the_last_attempt_fails_the_delivery(runtime: Runtime) -> None:
    with receiving(503) as receiver:
        row = one_event(runtime, receiver.url)
        set_delivery(runtime, row.id, attempts=deliveries.MAX_ATTEMPTS - 1)

        assert attempt(runtime, row.id) == "failed"
    assert delivery(runtime, row.id).next_attempt_at is None


def test_a_410_disables_the_subscription_and_fails_its_pending_deliveries(
    runtime: Runtime,
) -> None:
    with receiving(410) as receiver:
        subscribe(runtime, receiver.url)
        book_one(runtime, 9)
        book_one(runtime, 10)
        drain(runtime)
        first, second = deliveries_of(runtime)

        assert attempt(runtime, first.id) == "failed"
        assert attempt(runtime, second.id) is None
        book_one(runtime, 11)

        assert len(receiver.requests) == 1
    with runtime.sessions() as session:
        [webhook] = session.scalars(select(Webhook))
        assert webhook.disabled_at is not None and "410" in (webhook.disabled_reason or "")
    assert [d.status for d in deliveries_of(runtime)] == ["failed", "failed"]
    assert sweep(runtime, now=utcnow() + timedelta(days=2)).deliveries == 0


def test_a_worker_that_died_mid_attempt_leaves_the_delivery_to_the_sweep(
    runtime: Runtime,
) -> None:
    row = one_event(runtime, "http://127.0.0.1:9/a")
    claimed = deliveries.claim(runtime.sessions, row.id, LEASE, runtime.clock.now())
    assert claimed is not None and claimed.attempt == 1

    assert sweep(runtime).deliveries == 0, "taken from a live attempt"
    later = utcnow() + timedelta(seconds=LEASE + 1)
    assert sweep(runtime, now=later).deliveries == 1
    [message] = drain(runtime)
    assert message.job_id == str(row.id)


def test_a_slow_attempt_keeps_its_delivery_past_the_first_lease(
    runtime: Runtime, clock: ManualClock
) -> None:
    lease = 0.4
    slow = make_runtime(runtime.settings.database_url, clock, job_lease_seconds=lease)
    try:
        with receiving(delay=1.0) as receiver:
            row = one_event(slow, receiver.url)
            rivals: list[deliveries.Claim | None] = []

            def rival() -> None:
                receiver.wait_for(1)
                for _ in range(6):  # two leases pass: the first lapsed unless it was renewed
                    clock.advance(lease / 3)
                    slow.renewer.renew_due()
                rivals.append(deliveries.claim(slow.sessions, row.id, lease, clock.now()))

            thread = threading.Thread(target=rival)
            thread.start()
            status = attempt(slow, row.id)
            thread.join()
    finally:
        slow.engine.dispose()

    assert rivals == [None], "another worker took the delivery while it was being sent"
    assert status == "succeeded"
    assert len(receiver.requests) == 1


def set_delivery(runtime: Runtime, ident: uuid.UUID, **values: Any) -> None:
    with runtime.sessions.begin() as session:
        session.execute(WebhookDelivery.__table__.update()
                        .where(WebhookDelivery.id == ident).values(**values))
