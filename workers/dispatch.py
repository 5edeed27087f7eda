"""The one seam through which work is enqueued: a row first, the broker message after commit.

The jobs and webhook_deliveries tables are the outbox. `submit` (a job) and `enqueue` (a
delivery) add to the caller's transaction; once it commits, `publish_pending` hands the messages
to the process's publisher thread (workers/publisher.py), so a request never waits on the broker.
If the broker is down or hung, the row keeps no `published_at`, and the sweep publishes it
later, so accepted work and recorded events are never lost.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from kombu.exceptions import KombuError
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Job, WebhookDelivery, utcnow
from workers import signing

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)

TASKS = {
    "availability.add": "workers.add_availability",
    "availability.remove": "workers.remove_availability",
    "availability.import": "workers.import_availability",
    "match": "workers.run_match",
}
DELIVER = "workers.deliver_webhook"
OUTBOX = "outbox"


def submit(session: Session, kind: str, payload: dict[str, Any], *,
           submitted_by: uuid.UUID | None, callback_url: str | None = None) -> Job:
    """Add a queued job to the session; it is published when the session commits. A job with a
    `callback_url` gets the secret that signs its events there (`callback_secret`)."""
    job = Job(kind=kind, payload=payload, submitted_by=submitted_by, callback_url=callback_url,
              callback_secret=signing.new_secret() if callback_url else None, status="queued",
              attempts=0, submitted_at=utcnow())
    job.published_at = job.submitted_at
    session.add(job)
    session.flush()
    enqueue(session, TASKS[kind], job.id)
    return job


def enqueue(session: Session, task: str, ident: uuid.UUID) -> None:
    """Send `task(ident)` once the session commits (its row must set `published_at`)."""
    session.info.setdefault(OUTBOX, []).append((task, ident))


def publish(runtime: Runtime, task: str, ident: uuid.UUID) -> bool:
    """Send one message; False (logged) when the broker cannot take it now."""
    try:
        runtime.celery.send_task(task, args=[str(ident)])
    except (KombuError, OSError, TimeoutError):
        log.warning("broker unavailable; the sweep will publish %s(%s)", task, ident,
                    exc_info=True, extra=_context(task, ident))
        return False
    except Exception:  # e.g. amqp's AccessRefused, which kombu does not wrap in KombuError
        # The row is committed: raising would answer 500 for accepted work and release its
        # Idempotency-Key, so a retry would create it twice. The sweep keeps trying.
        log.exception("could not publish %s(%s); the sweep will try again", task, ident,
                      extra=_context(task, ident))
        return False
    return True


def _context(task: str, ident: uuid.UUID) -> dict[str, str]:
    return {} if task == DELIVER else {"job_id": str(ident)}


def mark_unpublished(runtime: Runtime, unsent: list[tuple[str, uuid.UUID]]) -> None:
    """Clear `published_at` of what could not be sent, so that the next sweep sends it."""
    by_table: dict[Any, list[uuid.UUID]] = defaultdict(list)
    for task, ident in unsent:
        by_table[WebhookDelivery if task == DELIVER else Job].append(ident)
    with runtime.sessions.begin() as session:
        for table, ids in by_table.items():
            session.execute(update(table).where(table.id.in_(ids)).values(published_at=None))


def publish_pending(runtime: Runtime, session: Session) -> None:
    """After commit: send what the transaction created, from the publisher's thread."""
    if messages := session.info.pop(OUTBOX, None):
        runtime.publisher.put(messages)


def forget_pending(session: Session) -> None:
    """After rollback: nothing was committed, so there is nothing to publish."""
    session.info.pop(OUTBOX, None)
