"""The job lifecycle: claim with a lease, run one attempt, finish exactly once.

A job is claimed with one conditional UPDATE … RETURNING, so a redelivered message, or a second
worker holding the same message, finds nothing to claim. The effect, the `succeeded` status and
its webhook event are written in one transaction that only commits while this attempt still
holds the job, so running a job twice never applies it twice nor announces it twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, update
from sqlalchemy.orm import Session

from models import Job, SessionFactory, utcnow
from workers import events, leases
from workers.errors import CalendarChanged, JobFailed, Superseded, problem

log = logging.getLogger(__name__)

RESOLVES = 3
Runner = Callable[[Session, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int


def claim(sessions: SessionFactory, job_id: uuid.UUID, lease: float,
          max_attempts: int) -> Claim | None:
    """Take the job if it is queued, or running under an expired lease, and attempts remain."""
    now = utcnow()
    with sessions.begin() as session:
        row = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.attempts < max_attempts,
                or_(Job.status == "queued",
                    (Job.status == "running") & (Job.lease_expires_at < now)),
            )
            .values(status="running", attempts=Job.attempts + 1,
                    started_at=now, lease_expires_at=now + timedelta(seconds=lease))
            .returning(Job.kind, Job.payload, Job.attempts)
        ).one_or_none()
    return None if row is None else Claim(job_id, row.kind, row.payload, row.attempts)


def _held(claimed: Claim) -> ColumnElement[bool]:
    return (Job.id == claimed.job_id) & (Job.status == "running") & (
        Job.attempts == claimed.attempt)


def finish(session: Session, claimed: Claim, status: str, *, result: dict[str, Any] | None = None,
           error: dict[str, Any] | None = None) -> None:
    """Record the outcome, and its webhook event, in `session`'s transaction; raise Superseded
    if the job was lost."""
    job = session.scalars(
        update(Job).where(_held(claimed))
        .values(status=status, result=result, error=error, finished_at=utcnow(),
                lease_expires_at=None)
        .returning(Job)
    ).one_or_none()
    if job is None:
        raise Superseded(str(claimed.job_id))
    events.job_finished(session, job)


def release(sessions: SessionFactory, claimed: Claim) -> None:
    """Give the job back to the queue so that a retry can claim it at once."""
    with sessions.begin() as session:
        session.execute(update(Job).where(_held(claimed))
                        .values(status="queued", lease_expires_at=None))


def run(claimed: Claim, *, sessions: SessionFactory, runner: Runner, lease: float) -> None:
    """Run one claimed attempt. Domain failures end the job; other errors propagate."""
    with leases.renewed(sessions, Job, _held(claimed), lease, str(claimed.job_id),
                        {"job_id": str(claimed.job_id)}):
        try:
            try:
                _run_until_settled(sessions, claimed, runner)
            except JobFailed as failed:
                with sessions.begin() as session:
                    finish(session, claimed, "failed", error=failed.problem)
        except Superseded:
            log.warning("attempt superseded; its writes were rolled back",
                        extra={"job_id": str(claimed.job_id)})


def _run_until_settled(sessions: SessionFactory, claimed: Claim, runner: Runner) -> None:
    """Run and record success in one transaction; start over if the calendar changed under it."""
    for _ in range(RESOLVES):
        try:
            with sessions.begin() as session:
                result = runner(session, claimed.payload)
                finish(session, claimed, "succeeded", result=result)
            return
        except CalendarChanged:
            log.info("calendar changed under the job; reading it again",
                     extra={"job_id": str(claimed.job_id)})
    raise JobFailed(409, "Conflict", f"the calendar kept changing; gave up after {RESOLVES} tries")


def fail_unexpectedly(sessions: SessionFactory, claimed: Claim, exc: BaseException) -> None:
    """Fail the job on an unexpected error, without leaking internals into the problem."""
    try:
        with sessions.begin() as session:
            finish(session, claimed, "failed", error=problem(
                500, "Internal error", f"the job failed unexpectedly ({type(exc).__name__})"))
    except Superseded:
        pass  # another attempt already recorded the outcome

