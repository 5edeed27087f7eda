"""The lease renewer: one thread per process renews every live attempt's lease when it is due;
an attempt that ends before its first renewal costs no write, and none follows its end."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, event

from models import Job
from tests.conftest import ManualClock
from tests.stack import wait_until
from tests.workers.support import job_row, set_job, submit
from workers.queue.runtime import Runtime


def a_running_job(runtime: Runtime, lease: float) -> uuid.UUID:
    job_id = submit(runtime, "availability.add", {"person": str(uuid.uuid4()), "ranges": []})
    set_job(runtime, job_id, status="running", attempts=1,
            lease_expires_at=runtime.clock.now() + timedelta(seconds=lease))
    return job_id


def held(job_id: uuid.UUID) -> ColumnElement[bool]:
    return (Job.id == job_id) & (Job.status == "running")


def test_an_attempt_that_ends_before_its_first_renewal_writes_nothing(
    clocked: Runtime, clock: ManualClock
) -> None:
    job_id = a_running_job(clocked, 30.0)
    before = job_row(clocked, job_id).lease_expires_at
    renewals: list[str] = []

    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        if "lease_expires_at" in statement:
            renewals.append(statement)

    event.listen(clocked.engine, "before_cursor_execute", count)
    try:
        with clocked.renewer.held(clocked.sessions, Job, held(job_id), 30.0, str(job_id)):
            clock.advance(9.9)  # not yet a third of the lease
            assert clocked.renewer.renew_due() == 0
    finally:
        event.remove(clocked.engine, "before_cursor_execute", count)

    assert renewals == []
    assert job_row(clocked, job_id).lease_expires_at == before


def test_attempts_side_by_side_each_keep_their_lease(
    clocked: Runtime, clock: ManualClock
) -> None:
    lease = 30.0
    jobs = [a_running_job(clocked, lease) for _ in range(2)]
    initial = {job_id: job_row(clocked, job_id).lease_expires_at for job_id in jobs}
    inside, done = threading.Barrier(len(jobs) + 1), threading.Barrier(len(jobs) + 1)

    def attempt(job_id: uuid.UUID) -> None:
        with clocked.renewer.held(clocked.sessions, Job, held(job_id), lease, str(job_id)):
            inside.wait()
            done.wait()

    threads = [threading.Thread(target=attempt, args=(job_id,)) for job_id in jobs]
    for thread in threads:
        thread.start()
    inside.wait()
    for _ in range(4):  # more than a lease passes: both initial leases lapsed unless renewed
        clock.advance(lease / 3)
        assert clocked.renewer.renew_due() == len(jobs)
    renewed = {job_id: job_row(clocked, job_id).lease_expires_at for job_id in jobs}
    done.wait()
    for thread in threads:
        thread.join()

    for job_id in jobs:
        assert renewed[job_id] > initial[job_id] + timedelta(seconds=lease)
        assert renewed[job_id] > clock.now()


def test_no_renewal_follows_the_end_of_an_attempt(clocked: Runtime, clock: ManualClock) -> None:
    lease = 30.0
    job_id = a_running_job(clocked, lease)
    with clocked.renewer.held(clocked.sessions, Job, held(job_id), lease, str(job_id)):
        clock.advance(lease / 3)
        assert clocked.renewer.renew_due() == 1
    ended = job_row(clocked, job_id).lease_expires_at

    clock.advance(lease)

    assert clocked.renewer.renew_due() == 0
    assert job_row(clocked, job_id).lease_expires_at == ended


def test_the_renewer_thread_renews_a_lease_when_it_is_due(runtime: Runtime) -> None:
    """The background thread on the machine's clock: a lease of 0.3 s outlives itself."""
    lease = 0.3
    job_id = a_running_job(runtime, lease)
    initial = job_row(runtime, job_id).lease_expires_at
    assert initial is not None
    with runtime.renewer.held(runtime.sessions, Job, held(job_id), lease, str(job_id)):
        wait_until(lambda: job_row(runtime, job_id).lease_expires_at > initial  # type: ignore[operator]
                   + timedelta(seconds=lease), 5, "the lease renewed past its first end")
