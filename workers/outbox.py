"""The outbox: work recorded in the caller's transaction, handed to the queue after commit.

A job row, or a webhook delivery row, is the record of accepted work. `submit` and `enqueue`
add it to the session's transaction and note its (kind, id) in `session.info`; once the
transaction commits, the queue's plumbing (workers.queue.routes) maps each kind to its task and
publishes it. If that never happens (the broker down, the process killed), the row keeps its
`published_at` and the sweep publishes it later, so accepted work is never lost.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, literal, select
from sqlalchemy.orm import Session

from models import Job
from workers import signing

JOB_KINDS = (
    "availability.add", "availability.remove", "availability.import", "match", "calendar.sync")
DELIVERY = "webhook.delivery"
REFRESH = "calendar.refresh"  # the sweep's periodic read of a calendar: a message, not a job
PENDING = "outbox"

Message = tuple[str, uuid.UUID]


def submit(session: Session, kind: str, payload: dict[str, Any], *, now: datetime,
           submitted_by: uuid.UUID | None, callback_url: str | None = None) -> Job:
    """Add a queued job to the session; it is published when the session commits. A job with a
    `callback_url` gets the secret that signs its events there (`callback_secret`)."""
    job = _queued(kind, payload, now, submitted_by, callback_url)
    session.add(job)
    session.flush()
    enqueue(session, kind, job.id)
    return job


def submit_if(session: Session, condition: ColumnElement[bool], kind: str,
              payload: dict[str, Any], *, now: datetime, submitted_by: uuid.UUID | None,
              callback_url: str | None = None) -> Job | None:
    """`submit`, in one statement that inserts the job only where `condition` holds (say, that
    its person exists): no query before it, no unit of work. None when it did not hold. The
    job returned is not in the session."""
    job = _queued(kind, payload, now, submitted_by, callback_url)
    columns = [c for c in Job.__table__.columns if getattr(job, c.key) is not None]
    row = select(*[literal(getattr(job, c.key), c.type) for c in columns]).where(condition)
    if not session.execute(insert(Job).from_select(columns, row)).rowcount:  # type: ignore[attr-defined]
        return None
    enqueue(session, kind, job.id)
    return job


def _queued(kind: str, payload: dict[str, Any], now: datetime, submitted_by: uuid.UUID | None,
            callback_url: str | None) -> Job:
    return Job(id=uuid.uuid4(), kind=kind, payload=payload, submitted_by=submitted_by,
               callback_url=callback_url,
               callback_secret=signing.new_secret() if callback_url else None, status="queued",
               attempts=0, submitted_at=now, published_at=now)


def enqueue(session: Session, kind: str, ident: uuid.UUID) -> None:
    """Publish (kind, ident) once the session commits (its row must set `published_at`)."""
    session.info.setdefault(PENDING, []).append((kind, ident))


def take(session: Session) -> list[Message]:
    """What the session's committed transaction recorded, once."""
    messages: list[Message] = session.info.pop(PENDING, [])
    return messages
