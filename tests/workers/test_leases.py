"""The lease renewer: one thread per process renews every live attempt's lease when it is due;
an attempt that ends before its first renewal costs no write, and none follows its end."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, event

from models import Job, utcnow
from tests.workers.support import job_row, set_job, submit
from workers import leases
from workers.runtime import Runtime


def a_running_job(runtime: Runtime, lease: float) -> uuid.UUID:
    job_id = submit(runtime, "availability.add", {"person": str(uuid.uuid4()), "ranges": []})
    set_job(runtime, job_id, status="running", attempts=1,
            lease_expires_at=utcnow() + timedelta(seconds=lease))
    return job_id


def held(job_id: uuid.UUID) -> ColumnElement[bool]:
    return (Job.id == job_id) & (Job.status == "running")


def test_an_attempt_that_ends_before_its_first_renewal_writes_nothing(runtime: Runtime) -> None:
    job_id = a_running_job(runtime, 30.0)
    before = job_row(runtime, job_id).lease_expires_at
    renewals: list[str] = []

    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        if "lease_expires_at" in statement:
            renewals.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        with leases.renewed(runtime.sessions, Job, held(job_id), 30.0, str(job_id)):
            pass
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)

    assert renewals == []
    assert job_row(runtime, job_id).lease_expires_at == before


def test_attempts_side_by_side_each_keep_their_lease(runtime: Runtime) -> None:
    lease = 0.4
    jobs = [a_running_job(runtime, lease) for _ in range(2)]
    initial = {job_id: job_row(runtime, job_id).lease_expires_at for job_id in jobs}
    inside = threading.Barrier(len(jobs) + 1)

    def attempt(job_id: uuid.UUID) -> None:
        with leases.renewed(runtime.sessions, Job, held(job_id), lease, str(job_id)):
            inside.wait()
            time.sleep(1.0)  # both initial leases lapsed long ago unless renewed

    threads = [threading.Thread(target=attempt, args=(job_id,)) for job_id in jobs]
    for thread in threads:
        thread.start()
    inside.wait()
    time.sleep(0.8)
    renewed = {job_id: job_row(runtime, job_id).lease_expires_at for job_id in jobs}
    for thread in threads:
        thread.join()

    for job_id in jobs:
        assert renewed[job_id] > initial[job_id] + timedelta(seconds=0.5)
        assert renewed[job_id] > utcnow() - timedelta(seconds=0.3)


def test_no_renewal_follows_the_end_of_an_attempt(runtime: Runtime) -> None:
    lease = 0.3
    job_id = a_running_job(runtime, lease)
    with leases.renewed(runtime.sessions, Job, held(job_id), lease, str(job_id)):
        time.sleep(0.25)  # a renewal is due around now: the exit waits it out, if under way
    ended = job_row(runtime, job_id).lease_expires_at

    time.sleep(0.5)

    assert job_row(runtime, job_id).lease_expires_at == ended
