"""Jobs as their submitters see them: who may read which, and waiting for one to finish."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Job, SessionFactory
from workers.callers import Caller
from workers.clock import Clock
from workers.lookup import get_or_404

FINISHED = ("succeeded", "failed")
FIRST_PAUSE, LONGEST_PAUSE = 0.01, 0.2  # seconds between polls, growing by half each time


def visible(session: Session, raw_id: str, caller: Caller) -> Job:
    """The job, if an admin asks or the caller's key submitted it (404 otherwise)."""
    return get_or_404(session, Job, raw_id, "job",
                      visible=lambda job: caller.is_admin or job.submitted_by == caller.key_id)


def listing(caller: Caller, status: str | None, kind: str | None) -> Select[Job]:
    """Jobs of a status and kind: all for an admin, else those the caller's key submitted."""
    stmt = select(Job)
    if not caller.is_admin:
        stmt = stmt.where(Job.submitted_by == caller.key_id)
    if status:
        stmt = stmt.where(Job.status == status)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return stmt


def wait_finished(readers: SessionFactory, job_id: uuid.UUID, seconds: float,
                  clock: Clock) -> Job | None:
    """Poll until the job has finished or the time is up; returns the finished job."""
    deadline = clock.monotonic() + seconds
    pause = FIRST_PAUSE
    while True:
        with readers() as session:
            job = session.get(Job, job_id)
            if job is not None and job.status in FINISHED:
                return job
        if clock.monotonic() + pause > deadline:
            return None
        clock.sleep(pause)
        pause = min(pause * 1.5, LONGEST_PAUSE)
