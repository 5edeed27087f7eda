"""The outbox seam: a job row in the caller's transaction, its message only after commit."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Job
from tests.workers.support import add_person, drain, job_row, ranges, submit
from workers import outbox
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep


class Abandoned(Exception):
    """The request failed after submitting its job."""


def payload(runtime: Runtime) -> dict[str, object]:
    return {"person": str(add_person(runtime)), "ranges": ranges((9, 10))}


def a_job(runtime: Runtime, session: Session, body: dict[str, object]) -> Job:
    return outbox.submit(session, "availability.add", body, now=runtime.clock.now(),
                         submitted_by=None)


def jobs_in_database(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_a_committed_job_is_published_once_after_commit(runtime: Runtime) -> None:
    body = payload(runtime)
    with runtime.sessions.begin() as session:
        job = a_job(runtime, session, body)
        assert drain(runtime) == [], "published before the job row was committed"

    [message] = drain(runtime)
    assert (message.task, message.job_id) == ("workers.add_availability", str(job.id))
    row = job_row(runtime, job.id)
    assert (row.status, row.attempts, row.kind) == ("queued", 0, "availability.add")
    assert row.payload == body
    assert row.published_at is not None


def test_a_rolled_back_job_is_never_published(runtime: Runtime) -> None:
    body = payload(runtime)
    with pytest.raises(Abandoned), runtime.sessions.begin() as session:
        a_job(runtime, session, body)
        raise Abandoned

    assert outbox.PENDING not in session.info
    assert drain(runtime) == []
    assert jobs_in_database(runtime) == 0


def test_a_rollback_does_not_publish_the_jobs_of_a_later_commit_twice(runtime: Runtime) -> None:
    body = payload(runtime)
    session = runtime.sessions()
    try:
        a_job(runtime, session, body)
        session.rollback()
        kept = a_job(runtime, session, body)
        session.commit()
    finally:
        session.close()

    assert [m.job_id for m in drain(runtime)] == [str(kept.id)]
    assert jobs_in_database(runtime) == 1


def test_a_job_accepted_while_the_broker_is_down_is_kept_and_left_for_the_sweep(
    runtime: Runtime, unreachable_broker: Runtime
) -> None:
    body = payload(runtime)
    started = time.monotonic()

    job_id = submit(unreachable_broker, "availability.add", body)

    assert time.monotonic() - started < 1, "the request waited on the broker"
    assert unreachable_broker.publisher.wait_idle(10)
    row = job_row(runtime, job_id)
    assert row.status == "queued"
    assert row.published_at is None
    report = sweep(runtime)  # a worker whose broker is up
    assert report.published == 1
    assert [m.job_id for m in drain(runtime)] == [str(job_id)]


def test_a_sweep_that_cannot_reach_the_broker_leaves_the_jobs_unpublished(
    runtime: Runtime, unreachable_broker: Runtime
) -> None:
    job_id = submit(runtime, "availability.add", payload(runtime))
    drain(runtime)
    with runtime.sessions.begin() as session:
        session.execute(Job.__table__.update().values(published_at=None))

    report = sweep(unreachable_broker)

    assert report.published == 0
    assert job_row(runtime, job_id).published_at is None
