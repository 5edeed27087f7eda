"""The job lifecycle on a real database: claim once, finish once, renew the lease, give back."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from celery.exceptions import Retry
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from models import utcnow
from tests.conftest import ManualClock
from tests.workers.support import (
    add_person,
    at,
    deliver,
    drain,
    hours_of,
    job_row,
    ranges,
    set_job,
    submit,
)
from workers import availability
from workers.errors import Conflict, Superseded
from workers.queue import attempts, tasks
from workers.queue import lifecycle as jobs
from workers.queue.runtime import Runtime

LEASE = 30.0
MAX_ATTEMPTS = 5


def claim(runtime: Runtime, job_id: uuid.UUID, lease: float = LEASE) -> jobs.Claim | None:
    """As a worker claims (workers/queue/attempts.py): each statement its own transaction."""
    return jobs.claim(runtime.statements, job_id, lease, MAX_ATTEMPTS, runtime.clock.now())


def run(runtime: Runtime, claimed: jobs.Claim, runner: jobs.Runner,
        lease: float = LEASE) -> None:
    jobs.run(claimed, sessions=runtime.sessions, prepare=lambda: runner, lease=lease,
             renewer=runtime.renewer, clock=runtime.clock)


def lapse_lease(runtime: Runtime, job_id: uuid.UUID) -> None:
    set_job(runtime, job_id, lease_expires_at=utcnow() - timedelta(seconds=1))


def an_add_job(runtime: Runtime, *spans: tuple[int, int]) -> tuple[uuid.UUID, uuid.UUID]:
    person = add_person(runtime)
    job_id = submit(runtime, "availability.add",
                    {"person": str(person), "ranges": ranges(*(spans or ((9, 12),)))})
    drain(runtime)
    return person, job_id


def test_a_claim_is_one_statement_and_one_round_trip(pg_runtime: Runtime) -> None:
    """No BEGIN and no COMMIT around the claim's UPDATE: the driver's autocommit commits it."""
    _, job_id = an_add_job(pg_runtime)
    seen: list[tuple[str, bool]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    event.listen(pg_runtime.engine, "before_cursor_execute", record)
    try:
        assert claim(pg_runtime, job_id) is not None
    finally:
        event.remove(pg_runtime.engine, "before_cursor_execute", record)
    assert seen == [("UPDATE", True)]
    assert job_row(pg_runtime, job_id).status == "running"


def test_a_queued_job_is_claimed_once(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)

    first = claim(runtime, job_id)
    second = claim(runtime, job_id)

    assert first is not None and first.attempt == 1
    assert first.kind == "availability.add"
    assert second is None
    row = job_row(runtime, job_id)
    assert row.status == "running"
    assert row.attempts == 1
    assert row.started_at is not None
    assert row.lease_expires_at is not None and row.lease_expires_at > utcnow()


def test_a_job_whose_lease_lapsed_is_claimed_again_as_a_new_attempt(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)
    assert claim(runtime, job_id) is not None
    lapse_lease(runtime, job_id)

    again = claim(runtime, job_id)

    assert again is not None and again.attempt == 2
    assert job_row(runtime, job_id).attempts == 2


def test_a_job_that_used_all_its_attempts_is_not_claimed(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)
    set_job(runtime, job_id, attempts=MAX_ATTEMPTS)

    assert claim(runtime, job_id) is None
    assert job_row(runtime, job_id).status == "queued"


def test_a_finished_job_is_not_claimed_again(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)
    claimed = claim(runtime, job_id)
    assert claimed is not None
    run(runtime, claimed, availability.add)

    assert claim(runtime, job_id) is None
    row = job_row(runtime, job_id)
    assert row.status == "succeeded"
    assert row.lease_expires_at is None
    assert row.finished_at is not None


def test_running_a_job_twice_never_applies_it_twice(runtime: Runtime) -> None:
    person, job_id = an_add_job(runtime, (9, 12))
    first = claim(runtime, job_id)
    assert first is not None
    lapse_lease(runtime, job_id)  # the first worker looks dead; a second one takes over
    second = claim(runtime, job_id)
    assert second is not None and second.attempt == 2
    run(runtime, second, availability.add)

    def add_other_hours(session: Session, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        return availability.add(session, {**payload, "ranges": ranges((20, 22))}, now)

    run(runtime, first, add_other_hours)

    assert hours_of(runtime, person) == {at(9), at(10), at(11)}
    row = job_row(runtime, job_id)
    assert row.status == "succeeded"
    assert row.attempts == 2
    assert row.result == {"added": 3, "already_present": 0}


def test_a_superseded_attempt_raises_on_finish_and_its_writes_are_rolled_back(
    runtime: Runtime,
) -> None:
    person, job_id = an_add_job(runtime, (9, 12))
    first = claim(runtime, job_id)
    assert first is not None
    lapse_lease(runtime, job_id)
    second = claim(runtime, job_id)
    assert second is not None
    with runtime.sessions.begin() as session:
        jobs.finish(session, second, "succeeded", runtime.clock.now(),
                    result={"added": 0, "already_present": 0})

    with pytest.raises(Superseded), runtime.sessions.begin() as session:
        availability.add(session, first.payload, runtime.clock.now())
        jobs.finish(session, first, "succeeded", runtime.clock.now(),
                    result={"added": 3, "already_present": 0})

    assert hours_of(runtime, person) == set()
    assert job_row(runtime, job_id).result == {"added": 0, "already_present": 0}


def test_a_superseded_attempt_cannot_overwrite_the_outcome_with_a_failure(
    runtime: Runtime,
) -> None:
    _, job_id = an_add_job(runtime)
    first = claim(runtime, job_id)
    assert first is not None
    lapse_lease(runtime, job_id)
    second = claim(runtime, job_id)
    assert second is not None
    run(runtime, second, availability.add)

    def conflict(session: Session, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        raise Conflict("too late")

    run(runtime, first, conflict)

    row = job_row(runtime, job_id)
    assert row.status == "succeeded"
    assert row.error is None


def test_a_job_that_fails_in_the_domain_is_not_retried(runtime: Runtime) -> None:
    job_id = submit(runtime, "availability.add",
                    {"person": str(uuid.uuid4()), "ranges": ranges((9, 10))})
    drain(runtime)

    deliver(runtime, job_id)  # returns normally: Celery has nothing to retry
    deliver(runtime, job_id)  # a redelivered message finds nothing to claim

    assert drain(runtime) == []
    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.attempts == 1
    assert row.result is None
    assert row.finished_at is not None
    assert row.lease_expires_at is None
    assert row.error is not None
    assert set(row.error) == {"type", "title", "status", "detail"}
    assert row.error["status"] == 404
    assert row.error["title"] == "Not found"
    assert row.error["type"] == "/problems/not-found"
    assert "does not exist" in row.error["detail"]


def test_the_heartbeat_renews_the_lease_while_the_runner_runs(
    clocked: Runtime, clock: ManualClock
) -> None:
    lease = 0.4
    _, job_id = an_add_job(clocked)
    claimed = claim(clocked, job_id, lease=lease)
    assert claimed is not None
    initial = job_row(clocked, job_id).lease_expires_at
    assert initial is not None
    seen: dict[str, Any] = {}

    def slow(session: Session, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        for _ in range(6):  # two leases pass: the initial one lapsed long ago unless renewed
            clock.advance(lease / 3)
            clocked.renewer.renew_due()
        seen["lease"] = job_row(clocked, job_id).lease_expires_at
        seen["rival"] = claim(clocked, job_id, lease=lease)
        return {"slept": True}

    run(clocked, claimed, slow, lease)

    assert seen["lease"] > initial + timedelta(seconds=lease)
    assert seen["rival"] is None, "another worker took the job while it was running"
    row = job_row(clocked, job_id)
    assert row.status == "succeeded"
    assert row.attempts == 1
    assert row.lease_expires_at is None


def test_a_released_job_is_queued_again_and_can_be_claimed_at_once(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)
    claimed = claim(runtime, job_id)
    assert claimed is not None

    jobs.release(runtime.sessions, claimed)

    row = job_row(runtime, job_id)
    assert row.status == "queued"
    assert row.lease_expires_at is None
    assert row.attempts == 1
    again = claim(runtime, job_id)
    assert again is not None and again.attempt == 2


def test_releasing_a_superseded_attempt_changes_nothing(runtime: Runtime) -> None:
    _, job_id = an_add_job(runtime)
    first = claim(runtime, job_id)
    assert first is not None
    lapse_lease(runtime, job_id)
    assert claim(runtime, job_id) is not None

    jobs.release(runtime.sessions, first)

    row = job_row(runtime, job_id)
    assert row.status == "running"
    assert row.attempts == 2


def test_an_unexpected_error_fails_the_job_without_leaking_internals(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
        raise RuntimeError("secret internals")

    monkeypatch.setitem(attempts.RUNNERS, "availability.add", broken)
    _, job_id = an_add_job(runtime)

    with pytest.raises(RuntimeError):
        deliver(runtime, job_id)

    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.error is not None
    assert row.error["status"] == 500
    assert row.error["title"] == "Internal error"
    assert "RuntimeError" in row.error["detail"]
    assert "secret" not in row.error["detail"]


def test_a_transient_database_error_releases_the_job_and_asks_celery_to_retry(
    pg_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose_the_connection(session: Session, payload: dict[str, Any],
                            now: datetime) -> dict[str, Any]:
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return {}

    monkeypatch.setitem(attempts.RUNNERS, "availability.add", lose_the_connection)
    _, job_id = an_add_job(pg_runtime)
    task = pg_runtime.celery.tasks["workers.add_availability"]

    # The request a worker builds for a first delivery, so that retry() re-publishes.
    task.push_request(id=str(uuid.uuid4()), args=[str(job_id)], kwargs={}, retries=0,
                      called_directly=False, delivery_info={})
    try:
        with pytest.raises(Retry) as retry:
            task.run(str(job_id))
    finally:
        task.pop_request()
    asked_at = utcnow()

    assert isinstance(retry.value.exc, tasks.TransientError)
    row = job_row(pg_runtime, job_id)
    assert row.status == "queued"
    assert row.lease_expires_at is None
    assert row.attempts == 1
    [message] = drain(pg_runtime)
    assert (message.task, message.job_id) == ("workers.add_availability", str(job_id))
    assert message.headers["retries"] == 1
    eta = message.headers["eta"]  # None when the jittered countdown came out as 0
    delay = 0.0 if eta is None else (datetime.fromisoformat(eta) - asked_at).total_seconds()
    first_backoff = tasks.BACKOFF_FACTOR  # at most factor * 2**0, with full jitter
    assert delay <= first_backoff + 1, f"the first retry waits {delay:.0f} s"
    again = claim(pg_runtime, job_id)
    assert again is not None and again.attempt == 2


def test_a_one_hour_add_is_claimed_in_one_statement_and_run_in_four(pg_runtime: Runtime) -> None:
    """A tiny job's time is its round trips to the database: the claim, then the insert (which
    finds the person itself), the status, its event's subscribers and the metrics' totals, at
    most."""
    _, job_id = an_add_job(pg_runtime, (9, 10))
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.split(None, 1)[0])

    event.listen(pg_runtime.engine, "before_cursor_execute", record)
    try:
        claimed = claim(pg_runtime, job_id)
        claimed_in = list(statements)
        assert claimed is not None
        run(pg_runtime, claimed, availability.add)
    finally:
        event.remove(pg_runtime.engine, "before_cursor_execute", record)

    assert claimed_in == ["UPDATE"]
    assert statements[1:3] == ["WITH", "UPDATE"]
    assert len(statements) <= 5, statements
    assert job_row(pg_runtime, job_id).result == {"added": 1, "already_present": 0}
