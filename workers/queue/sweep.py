"""The periodic sweep: publish what the outbox holds (jobs, and webhook deliveries when due),
send the calendars due to be read again, hand on jobs whose worker died, prune finished work
past its retention, and roll weekly hours forward to the horizon.

It runs in every worker process (and in the embedded server). Each step is one conditional
UPDATE … RETURNING, so when several sweeps race, each row is taken by one of them only.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from models import IdempotencyKey, Job, WebhookDelivery
from workers import calendar_reads, counters, deliveries, events, retention, weekly_hours
from workers.errors import problem
from workers.outbox import DELIVERY, REFRESH
from workers.queue.routes import publish_all
from workers.queue.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 1000
IDEMPOTENCY_TTL = timedelta(hours=48)


@dataclass(frozen=True)
class SweepReport:
    published: int
    requeued: int
    given_up: int
    deliveries: int = 0
    pruned: int = 0
    rolled: int = 0
    calendars: int = 0


def sweep(runtime: Runtime, now: datetime | None = None, *,
          restarted: bool = False) -> SweepReport:
    """One round. `restarted`: the embedded server's messages and running attempts died with
    its previous process, so every queued and running job is handed on at once."""
    now = now or runtime.clock.now()
    settings = runtime.settings
    with runtime.sessions.begin() as session:
        expired = (Job.status == "running") & (Job.lease_expires_at < (
            datetime.max.replace(tzinfo=UTC) if restarted else now))
        # A job released on its last attempt is queued but can never be claimed again.
        given_up = session.scalars(
            update(Job).where(or_(expired, Job.status == "queued"),
                              Job.attempts >= settings.job_max_attempts)
            .values(status="failed", finished_at=now, lease_expires_at=None,
                    error=problem(500, "Gave up", f"the job was attempted "
                                  f"{settings.job_max_attempts} times without finishing"))
            .returning(Job)
        ).all()
        for job in given_up:
            events.job_finished(session, now, job)
        requeued = session.execute(
            update(Job).where(expired).values(status="queued", published_at=None,
                                              lease_expires_at=None)
        ).rowcount  # type: ignore[attr-defined]
        stale = now + timedelta(seconds=0 if restarted else -settings.requeue_after_seconds)
        due = (select(Job.id).where(Job.status == "queued",
                                    or_(Job.published_at.is_(None), Job.published_at < stale))
               .limit(BATCH).scalar_subquery())
        rows = session.execute(
            update(Job).where(Job.id.in_(due), Job.status == "queued",
                              or_(Job.published_at.is_(None), Job.published_at < stale))
            .values(published_at=now).returning(Job.id, Job.kind)
        ).all()
        session.execute(delete(IdempotencyKey)
                        .where(IdempotencyKey.created_at < now - IDEMPOTENCY_TTL))
        due_deliveries = _take_due_deliveries(session, now, stale, restarted)
        due_calendars = calendar_reads.take_due(session, now, stale, BATCH)
        counters.jobs_finished(session, given_up)  # last: see workers/counters.py
    # A message the broker refuses is marked for the next round, not in REQUEUE_AFTER_SECONDS.
    published = publish_all(runtime.celery, runtime.sessions, [(row.kind, row.id) for row in rows])
    sent = publish_all(runtime.celery, runtime.sessions,
                       [(DELIVERY, ident) for ident in due_deliveries])
    read = publish_all(runtime.celery, runtime.sessions,
                       [(REFRESH, ident) for ident in due_calendars])
    with runtime.sessions.begin() as session:
        pruned = retention.prune(session, now, timedelta(days=settings.job_retention_days))
    with runtime.sessions.begin() as session:
        rolled = weekly_hours.roll_forward(session, settings, now)
    return SweepReport(published=published, requeued=requeued, given_up=len(given_up),
                       deliveries=sent, pruned=pruned, rolled=rolled, calendars=read)


def _take_due_deliveries(session: Session, now: datetime, stale: datetime,
                         restarted: bool) -> list[uuid.UUID]:
    """Pending deliveries whose next attempt is due and for which no message is outstanding
    (or it looks lost), each marked as published by this sweep only."""
    lapsed = datetime.max.replace(tzinfo=UTC) if restarted else now
    delivery = WebhookDelivery
    due = ((delivery.status == "pending") & (delivery.next_attempt_at <= now)
           & or_(delivery.lease_expires_at.is_(None), delivery.lease_expires_at < lapsed)
           & or_(delivery.published_at.is_(None), delivery.published_at < stale)
           & deliveries.active())
    return list(session.scalars(
        update(delivery).where(delivery.id.in_(select(delivery.id).where(due).limit(BATCH)
                                                .scalar_subquery()), due)
        .values(published_at=now).returning(delivery.id)))


class Sweeper(threading.Thread):
    """Runs the sweep every `sweep_interval_seconds` until stopped."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(name="sweeper", daemon=True)
        self.runtime = runtime
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.runtime.settings.sweep_interval_seconds):
            try:
                report = sweep(self.runtime)
            except Exception:  # the database may be down; try again next round
                log.warning("sweep failed", exc_info=True)
                continue
            if any(vars(report).values()):
                log.info("sweep %s", report)

    def stop(self) -> None:
        self.stopped.set()
        if self.ident is not None:  # started
            self.join()
