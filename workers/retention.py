"""How long finished work is kept: jobs and webhook deliveries that finished more than the
retention ago are deleted, a batch at a time, so that neither table grows for ever.

A job's callback deliveries (and every delivery's attempts) go with it by their foreign keys;
the interviews a match booked stay, their `job_id` set to null. Each batch takes rows that no
other sweep holds (SKIP LOCKED on PostgreSQL; SQLite has one writer), so sweeps running side
by side delete different rows and never wait on each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Job, WebhookDelivery
from workers.jobs import FINISHED

BATCH = 1000  # rows of each table per round: a round's transaction stays short


def prune(session: Session, now: datetime, retention: timedelta, batch: int = BATCH) -> int:
    """Delete up to `batch` jobs, and as many deliveries, that finished before
    `now - retention`, oldest first; the number of rows deleted."""
    before = now - retention
    jobs = (select(Job.id).where(Job.status.in_(FINISHED), Job.finished_at < before)
            .order_by(Job.finished_at).limit(batch).with_for_update(skip_locked=True))
    deliveries = (select(WebhookDelivery.id)
                  .where(WebhookDelivery.status.in_(FINISHED),
                         WebhookDelivery.created_at < before)
                  .order_by(WebhookDelivery.created_at).limit(batch)
                  .with_for_update(skip_locked=True))
    pruned = 0
    for table, ident, taken in ((Job, Job.id, jobs),
                                (WebhookDelivery, WebhookDelivery.id, deliveries)):
        pruned += session.execute(
            delete(table).where(ident.in_(taken.scalar_subquery()))
            .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    return pruned
