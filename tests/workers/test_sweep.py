"""The sweep on a real database: it publishes the outbox and hands on jobs whose worker died."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from models import ApiKey, CalendarFeed, IdempotencyKey, utcnow
from tests.workers.support import (
    add_person,
    drain,
    job_row,
    ranges,
    set_job,
    submit,
)
from workers import counters
from workers.queue import lifecycle as jobs
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep


def a_job(runtime: Runtime) -> uuid.UUID:
    """A committed job whose first message has been delivered already (and drained)."""
    person = add_person(runtime)
    job_id = submit(runtime, "availability.add", {"person": str(person), "ranges": ranges((9, 10))})
    drain(runtime)
    return job_id


def published_ids(runtime: Runtime) -> list[str]:
    messages = drain(runtime)
    assert {m.task for m in messages} <= {"workers.add_availability"}
    return sorted(m.job_id for m in messages)


def claim(runtime: Runtime, job_id: uuid.UUID) -> jobs.Claim:
    settings = runtime.settings
    claimed = jobs.claim(runtime.sessions, job_id, settings.job_lease_seconds,
                         settings.job_max_attempts, runtime.clock.now())
    assert claimed is not None
    return claimed


def test_the_sweep_publishes_queued_jobs_that_were_never_published(runtime: Runtime) -> None:
    job_id = a_job(runtime)
    set_job(runtime, job_id, published_at=None)
    now = utcnow()

    report = sweep(runtime, now=now)

    assert report.published == 1
    assert published_ids(runtime) == [str(job_id)]
    assert job_row(runtime, job_id).published_at == now


def test_the_sweep_republishes_stale_queued_jobs_and_leaves_fresh_ones_alone(
    runtime: Runtime,
) -> None:
    now = utcnow()
    requeue_after = timedelta(seconds=runtime.settings.requeue_after_seconds)
    never, stale, fresh = a_job(runtime), a_job(runtime), a_job(runtime)
    set_job(runtime, never, published_at=None)
    set_job(runtime, stale, published_at=now - requeue_after - timedelta(seconds=1))
    fresh_at = now - requeue_after + timedelta(seconds=1)
    set_job(runtime, fresh, published_at=fresh_at)

    report = sweep(runtime, now=now)

    assert report.published == 2
    assert published_ids(runtime) == sorted([str(never), str(stale)])
    assert job_row(runtime, stale).published_at == now
    assert job_row(runtime, fresh).published_at == fresh_at


def test_a_second_sweep_right_after_the_first_publishes_nothing(runtime: Runtime) -> None:
    job_id = a_job(runtime)
    set_job(runtime, job_id, published_at=None)
    now = utcnow()
    sweep(runtime, now=now)
    drain(runtime)

    report = sweep(runtime, now=now + timedelta(seconds=1))

    assert report.published == 0
    assert drain(runtime) == []


def test_the_sweep_leaves_running_jobs_under_a_live_lease_alone(runtime: Runtime) -> None:
    job_id = a_job(runtime)
    claim(runtime, job_id)

    report = sweep(runtime, now=utcnow())

    assert (report.requeued, report.given_up, report.published) == (0, 0, 0)
    assert job_row(runtime, job_id).status == "running"
    assert drain(runtime) == []


def test_the_sweep_requeues_and_republishes_a_running_job_whose_lease_expired(
    runtime: Runtime,
) -> None:
    job_id = a_job(runtime)
    claim(runtime, job_id)
    lease_end = job_row(runtime, job_id).lease_expires_at
    assert lease_end is not None
    now = lease_end + timedelta(seconds=1)

    report = sweep(runtime, now=now)

    assert report.requeued == 1
    assert report.given_up == 0
    assert report.published == 1
    row = job_row(runtime, job_id)
    assert row.status == "queued"
    assert row.lease_expires_at is None
    assert row.published_at == now
    assert row.attempts == 1
    assert published_ids(runtime) == [str(job_id)]
    assert claim(runtime, job_id).attempt == 2


def test_the_sweep_gives_up_a_job_whose_lease_expired_on_its_last_attempt(
    runtime: Runtime,
) -> None:
    max_attempts = runtime.settings.job_max_attempts
    job_id = a_job(runtime)
    set_job(runtime, job_id, attempts=max_attempts - 1)
    claim(runtime, job_id)
    now = utcnow() + timedelta(seconds=runtime.settings.job_lease_seconds + 1)

    report = sweep(runtime, now=now)

    assert report.given_up == 1
    assert report.requeued == 0
    assert report.published == 0
    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.attempts == max_attempts
    assert row.finished_at == now
    assert row.lease_expires_at is None
    assert row.error is not None
    assert set(row.error) == {"type", "title", "status", "detail"}
    assert (row.error["status"], row.error["title"]) == (500, "Gave up")
    assert str(max_attempts) in row.error["detail"]
    assert drain(runtime) == []
    with runtime.engine.connect() as conn:  # counted for /metrics as it is given up
        found = {(t.metric, t.label): t.value for t in counters.totals(conn)}
    assert found[counters.FINISHED, "failed"] == 1
    assert found[counters.RUN, counters.bucket(runtime.settings.job_lease_seconds + 1)] == 1


def test_the_sweep_gives_up_a_job_released_after_its_last_attempt(runtime: Runtime) -> None:
    # A transient error on the last attempt gives the job back to the queue, where no claim
    # can take it any more; left queued, it would be republished forever and never finish.
    max_attempts = runtime.settings.job_max_attempts
    job_id = a_job(runtime)
    set_job(runtime, job_id, attempts=max_attempts - 1)
    jobs.release(runtime.sessions, claim(runtime, job_id))
    now = utcnow() + timedelta(seconds=runtime.settings.requeue_after_seconds + 1)

    report = sweep(runtime, now=now)

    assert report.given_up == 1
    assert report.published == 0
    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.error is not None and row.error["title"] == "Gave up"
    assert drain(runtime) == []


def test_the_sweep_deletes_idempotency_keys_older_than_48_hours(runtime: Runtime) -> None:
    now = utcnow()
    with runtime.sessions.begin() as session:
        api_key = ApiKey(key_hash=uuid.uuid4().hex, role="admin", label="sweep test")
        session.add(api_key)
        session.flush()
        for name, age in (("old", timedelta(hours=48, seconds=1)),
                          ("young", timedelta(hours=47, minutes=59))):
            session.add(IdempotencyKey(api_key_id=api_key.id, key=name, request_hash="0" * 64,
                                       response_status=202, created_at=now - age))

    sweep(runtime, now=now)

    with runtime.sessions() as session:
        assert list(session.scalars(select(IdempotencyKey.key))) == ["young"]


def test_the_sweep_publishes_at_most_one_message_per_job_however_often_it_runs(
    runtime: Runtime,
) -> None:
    ids = [a_job(runtime) for _ in range(3)]
    for job_id in ids:
        set_job(runtime, job_id, published_at=None)
    start: datetime = utcnow()

    for k in range(5):
        sweep(runtime, now=start + timedelta(seconds=k))

    assert published_ids(runtime) == sorted(str(job_id) for job_id in ids)


def test_after_an_embedded_restart_every_queued_and_running_job_is_handed_on_at_once(
    runtime: Runtime,
) -> None:
    fresh, running = a_job(runtime), a_job(runtime)
    claim(runtime, running)

    assert sweep(runtime).published == 0, "a fresh message and a live lease are left alone"
    report = sweep(runtime, restarted=True)

    assert (report.requeued, report.published) == (1, 2)
    assert published_ids(runtime) == sorted([str(fresh), str(running)])
    assert job_row(runtime, running).status == "queued"


def test_a_calendar_due_to_be_read_is_sent_once_until_it_is_read_or_its_message_is_lost(
        runtime: Runtime) -> None:
    now = utcnow()
    with runtime.sessions.begin() as session:
        calendar = CalendarFeed(person_id=add_person(runtime), url="https://example.com/a.ics",
                                created_at=now, next_sync_at=now + timedelta(minutes=15))
        session.add(calendar)
    assert sweep(runtime, now=now).calendars == 0  # not due yet

    later = now + timedelta(minutes=15)
    assert sweep(runtime, now=later).calendars == 1
    assert [(m.task, m.job_id) for m in drain(runtime)] == [
        ("workers.refresh_calendar", str(calendar.id))]
    assert sweep(runtime, now=later + timedelta(seconds=1)).calendars == 0
    lost = later + timedelta(seconds=runtime.settings.requeue_after_seconds + 1)
    assert sweep(runtime, now=lost).calendars == 1  # its message looks lost: sent again
    drain(runtime)
