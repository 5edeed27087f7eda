"""Webhook events, recorded in the transaction of the change that caused them (the outbox).

An event becomes one delivery row per active subscription to its type, and one for the
callback_url of the job it is about; each delivery goes through the outbox, so an event exists
exactly when its cause was committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import Job, Webhook, WebhookDelivery
from workers import outbox, resources


def record(session: Session, type_: str, items: Iterable[dict[str, Any]], *, now: datetime,
           job: Job | None = None) -> list[uuid.UUID]:
    """Add a delivery of each event `{type, timestamp, data}` to every active subscription to
    `type_` (and to `job`'s callback_url); their messages are sent after commit."""
    subscribers = [ident for ident, types in session.execute(
        select(Webhook.id, Webhook.events).where(Webhook.disabled_at.is_(None))
        .order_by(Webhook.created_at, Webhook.id)) if type_ in types]
    callback = (job.id if job is not None and job.callback_url and job.callback_secret
                else None)
    if not subscribers and callback is None:
        return []  # nobody listens: a match's result, megabytes, is not written out again
    rows: list[dict[str, Any]] = []
    for data in items:
        body = json.dumps({"type": type_, "timestamp": resources.z(now), "data": data},
                          separators=(",", ":"), ensure_ascii=False)
        targets: list[tuple[uuid.UUID | None, uuid.UUID | None]] = [
            (ident, None) for ident in subscribers]
        targets += [(None, callback)] if callback is not None else []
        rows += [{"id": uuid.uuid4(), "webhook_id": webhook_id, "job_id": job_id,
                  "type": type_, "body": body, "status": "pending", "created_at": now,
                  "attempts": 0, "next_attempt_at": now, "published_at": now}
                 for webhook_id, job_id in targets]
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    for row in rows:
        outbox.enqueue(session, outbox.DELIVERY, row["id"])
    return [row["id"] for row in rows]


def job_finished(session: Session, now: datetime, job: Job) -> None:
    """`job.succeeded` or `job.failed`, with the job as GET /v1/jobs/{id} shows it."""
    record(session, f"job.{job.status}", [resources.job(job)], now=now, job=job)
