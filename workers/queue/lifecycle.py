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
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, or_, update
from sqlalchemy.orm import Session

from models import Job, SessionFactory
from workers import counters, events
from workers.clock import Clock
from workers.errors import CalendarChanged, Conflict, Problem, Superseded, problem
from workers.queue.leases import Renewer

log = logging.getLogger(__name__)

RESOLVES = 3
Runner = Callable[[Session, dict[str, Any], datetime], dict[str, Any]]
"""A job kind's work: (session, payload, now) → result, in the session's transaction."""
Prepare = Callable[[], Runner]
"""Gives a job's runner, first doing what must hold no transaction (reading a feed)."""


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int


# The statements of every job are built once (Core, bound parameters): a job that takes a few
# milliseconds spends none of them building SQL.
JOBS = cast(Table, Job.__table__)
CLAIM = (
    update(JOBS)
    .where(JOBS.c.id == bindparam("job_id"), JOBS.c.attempts < bindparam("max_attempts"),
           or_(JOBS.c.status == "queued",
               (JOBS.c.status == "running") & (JOBS.c.lease_expires_at < bindparam("now"))))
    .values(status="running", attempts=JOBS.c.attempts + 1, started_at=bindparam("now"),
            lease_expires_at=bindparam("expires"))
    .returning(JOBS.c.kind, JOBS.c.payload, JOBS.c.attempts)
)
# On PostgreSQL the claim's commit does not wait for the disk (set_config runs for the claimed
# row, before that commit, in the claim's own transaction, autocommit or not). A claim that a
# crash of the database loses only leaves the job queued for a retry; the attempt's own commit,
# which waits, makes the claim durable with it.
CLAIMS = {"postgresql": CLAIM.returning(func.set_config("synchronous_commit", "off", True))}


def _held_by(job_id: Any, attempt: Any) -> ColumnElement[bool]:
    """The job's row while the attempt numbered `attempt` holds it (values or bindparams)."""
    held: ColumnElement[bool] = ((JOBS.c.id == job_id) & (JOBS.c.status == "running")
                                 & (JOBS.c.attempts == attempt))
    return held


def _held(claimed: Claim) -> ColumnElement[bool]:
    return _held_by(claimed.job_id, claimed.attempt)


FINISH = (
    update(JOBS)
    .where(_held_by(bindparam("job_id"), bindparam("attempt")))
    .values(lease_expires_at=None)
    .returning(JOBS.c.submitted_at, JOBS.c.started_at, JOBS.c.callback_url,
               JOBS.c.callback_secret)
)


def claim(sessions: SessionFactory, job_id: uuid.UUID, lease: float, max_attempts: int,
          now: datetime) -> Claim | None:
    """Take the job if it is queued, or running under an expired lease, and attempts remain.
    `sessions` may run each statement on its own (`models.per_statement`): the claim is one."""
    with sessions.begin() as session:
        row = session.connection().execute(
            CLAIMS.get(session.get_bind().dialect.name, CLAIM),
            {"job_id": job_id, "max_attempts": max_attempts, "now": now,
             "expires": now + timedelta(seconds=lease)},
        ).one_or_none()
    return None if row is None else Claim(job_id, row.kind, row.payload, row.attempts)


def finish(session: Session, claimed: Claim, status: str, finished: datetime, *,
           result: dict[str, Any] | None = None, error: dict[str, Any] | None = None) -> None:
    """Record the outcome, its webhook event and the metrics' totals in `session`'s
    transaction; raise Superseded if the job was lost."""
    row = session.connection().execute(
        FINISH.values(status=status, result=result, error=error, finished_at=finished),
        {"job_id": claimed.job_id, "attempt": claimed.attempt}).one_or_none()
    if row is None:
        raise Superseded(str(claimed.job_id))
    job = Job(id=claimed.job_id, kind=claimed.kind, status=status, result=result, error=error,
              finished_at=finished, submitted_at=row.submitted_at, started_at=row.started_at,
              callback_url=row.callback_url, callback_secret=row.callback_secret)
    events.job_finished(session, finished, job)
    counters.jobs_finished(session, [job])


def release(sessions: SessionFactory, claimed: Claim) -> None:
    """Give the job back to the queue so that a retry can claim it at once."""
    with sessions.begin() as session:
        session.execute(update(Job).where(_held(claimed))
                        .values(status="queued", lease_expires_at=None))


def run(claimed: Claim, *, sessions: SessionFactory, prepare: Prepare, lease: float,
        renewer: Renewer, clock: Clock) -> None:
    """Run one claimed attempt under a renewed lease. A domain problem fails the job (with what
    the problem also writes); other errors propagate."""
    with renewer.held(sessions, Job, _held(claimed), lease, str(claimed.job_id),
                      {"job_id": str(claimed.job_id)}):
        try:
            try:
                _run_until_settled(sessions, claimed, prepare(), clock)
            except Problem as failed:
                with sessions.begin() as session:
                    if failed.also_write is not None:
                        failed.also_write(session)
                    finish(session, claimed, "failed", clock.now(), error=failed.problem)
        except Superseded:
            log.warning("attempt superseded; its writes were rolled back",
                        extra={"job_id": str(claimed.job_id)})


def _run_until_settled(sessions: SessionFactory, claimed: Claim, runner: Runner,
                       clock: Clock) -> None:
    """Run and record success in one transaction; start over if the calendar changed under it."""
    for _ in range(RESOLVES):
        try:
            with sessions.begin() as session:
                result = runner(session, claimed.payload, clock.now())
                finish(session, claimed, "succeeded", clock.now(), result=result)
            return
        except CalendarChanged:
            log.info("calendar changed under the job; reading it again",
                     extra={"job_id": str(claimed.job_id)})
    raise Conflict(f"the calendar kept changing; gave up after {RESOLVES} tries")


def fail_unexpectedly(sessions: SessionFactory, claimed: Claim, exc: BaseException,
                      now: datetime) -> None:
    """Fail the job on an unexpected error, without leaking internals into the problem."""
    try:
        with sessions.begin() as session:
            finish(session, claimed, "failed", now, error=problem(
                500, "Internal error", f"the job failed unexpectedly ({type(exc).__name__})"))
    except Superseded:
        pass  # another attempt already recorded the outcome

