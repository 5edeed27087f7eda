"""The periodic sweep: publish what the outbox holds, hand on jobs whose worker died.

It runs in every worker process (and in the embedded server). Each step is one conditional
UPDATE … RETURNING, so when several sweeps race, each row is taken by one of them only.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update

from models import IdempotencyKey, Job, utcnow
from workers import dispatch
from workers.errors import problem
from workers.runtime import Runtime

log = logging.getLogger(__name__)

BATCH = 1000
IDEMPOTENCY_TTL = timedelta(hours=48)


@dataclass(frozen=True)
class SweepReport:
    published: int
    requeued: int
    given_up: int


def sweep(runtime: Runtime, now: datetime | None = None, *,
          restarted: bool = False) -> SweepReport:
    """One round. `restarted`: the embedded server's messages and running attempts died with
    its previous process, so every queued and running job is handed on at once."""
    now = now or utcnow()
    settings = runtime.settings
    with runtime.sessions.begin() as session:
        expired = (Job.status == "running") & (Job.lease_expires_at < (
            datetime.max.replace(tzinfo=UTC) if restarted else now))
        # A job released on its last attempt is queued but can never be claimed again.
        given_up = session.execute(
            update(Job).where(or_(expired, Job.status == "queued"),
                              Job.attempts >= settings.job_max_attempts)
            .values(status="failed", finished_at=now, lease_expires_at=None,
                    error=problem(500, "Gave up", f"the job was attempted "
                                  f"{settings.job_max_attempts} times without finishing"))
        ).rowcount  # type: ignore[attr-defined]
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
    published = 0
    for row in rows:
        if not dispatch.publish(runtime, row.id, row.kind):
            unsent = [r.id for r in rows[published:]]
            with runtime.sessions.begin() as session:  # retried next round, not in 60 s
                session.execute(update(Job).where(Job.id.in_(unsent)).values(published_at=None))
            break
        published += 1
    return SweepReport(published=published, requeued=requeued, given_up=given_up)


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
            if report.published or report.requeued or report.given_up:
                log.info("sweep %s", report)

    def stop(self) -> None:
        self.stopped.set()
        self.join()
