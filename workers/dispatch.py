"""The one seam through which work is enqueued: a job row first, the broker message after commit.

The jobs table is the outbox. `submit` adds the row to the caller's transaction; once that
transaction commits, `publish_pending` sends the message. If the broker is down or hung, the
row stays `queued` with no `published_at`, and the sweep publishes it later, so an accepted job
is never lost and a request never waits on the broker for more than its bounded timeouts.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from kombu.exceptions import KombuError
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models import Job, utcnow

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)

TASKS = {
    "availability.add": "workers.add_availability",
    "availability.remove": "workers.remove_availability",
    "availability.import": "workers.import_availability",
    "match": "workers.run_match",
}
OUTBOX = "outbox"


def submit(session: Session, kind: str, payload: dict[str, Any], *,
           submitted_by: uuid.UUID | None, callback_url: str | None = None) -> Job:
    """Add a queued job to the session; it is published when the session commits."""
    job = Job(kind=kind, payload=payload, submitted_by=submitted_by, callback_url=callback_url,
              status="queued", attempts=0, submitted_at=utcnow())
    job.published_at = job.submitted_at
    session.add(job)
    session.flush()
    session.info.setdefault(OUTBOX, []).append((job.id, kind))
    return job


def publish(runtime: Runtime, job_id: uuid.UUID, kind: str) -> bool:
    """Send one job's message; False (logged) when the broker cannot take it now."""
    try:
        runtime.celery.send_task(TASKS[kind], args=[str(job_id)])
    except (KombuError, OSError, TimeoutError):
        log.warning("broker unavailable; the sweep will publish the job", exc_info=True,
                    extra={"job_id": str(job_id)})
        return False
    except Exception:  # e.g. amqp's AccessRefused, which kombu does not wrap in KombuError
        # The job is committed: raising would answer 500 for accepted work and release its
        # Idempotency-Key, so a retry would create it twice. The sweep keeps trying.
        log.exception("could not publish; the sweep will try again",
                      extra={"job_id": str(job_id)})
        return False
    return True


def publish_pending(runtime: Runtime, session: Session) -> None:
    """After commit: publish the jobs the transaction created; mark failures for the sweep."""
    unsent = [job_id for job_id, kind in session.info.pop(OUTBOX, [])
              if not publish(runtime, job_id, kind)]
    if not unsent:
        return
    try:
        with runtime.sessions.begin() as other:
            other.execute(update(Job).where(Job.id.in_(unsent)).values(published_at=None))
    except SQLAlchemyError:  # the sweep still republishes them once they look stale
        log.warning("could not mark unpublished jobs", exc_info=True)


def forget_pending(session: Session) -> None:
    """After rollback: the jobs were never committed, so there is nothing to publish."""
    session.info.pop(OUTBOX, None)
