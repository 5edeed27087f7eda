"""Where each kind of work goes: the outbox's kinds mapped to Celery tasks and queues, and
publishing.

Webhook deliveries have a queue of their own, named after the jobs' queue (the app's
`task_default_queue`) with `.deliveries` added, and workers of their own, so that a job never
waits behind a delivery to a slow receiver (`interview-calendar worker --queues`).

A request never waits on the broker: committed messages go to the process's publisher thread
(workers/queue/publisher.py). What cannot be sent has its row's `published_at` cleared, and the
sweep publishes it later.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError
from sqlalchemy import update

from models import CalendarFeed, Job, SessionFactory, WebhookDelivery
from workers.outbox import DELIVERY, REFRESH, Message

log = logging.getLogger(__name__)

TASKS = {
    "availability.add": "workers.add_availability",
    "availability.remove": "workers.remove_availability",
    "availability.import": "workers.import_availability",
    "match": "workers.run_match",
    "calendar.sync": "workers.sync_calendar",
    REFRESH: "workers.refresh_calendar",
    DELIVERY: "workers.deliver_webhook",
}
# What each message that is not a job marks as sent (`published_at`), for the sweep.
TABLES: dict[str, Any] = {DELIVERY: WebhookDelivery, REFRESH: CalendarFeed}


def jobs_queue(celery: Celery) -> str:
    """The jobs' queue: the app's default, which the command line or a test may rename."""
    return str(celery.conf.task_default_queue)


def deliveries_queue(celery: Celery) -> str:
    """The deliveries' queue, named after the jobs' so that a renamed pair stays apart."""
    return f"{jobs_queue(celery)}.deliveries"


def queue_of(celery: Celery, kind: str) -> str:
    """The queue a kind of work is published to."""
    return deliveries_queue(celery) if kind == DELIVERY else jobs_queue(celery)


def queues_for(celery: Celery, role: str) -> list[str]:
    """The queues a worker consumes: those of `jobs`, of `deliveries`, or `all`."""
    jobs, deliveries = jobs_queue(celery), deliveries_queue(celery)
    return {"jobs": [jobs], "deliveries": [deliveries], "all": [jobs, deliveries]}[role]


def publish(celery: Celery, kind: str, ident: uuid.UUID) -> bool:
    """Send one message; False (logged) when the broker cannot take it now."""
    task = TASKS[kind]
    try:
        celery.send_task(task, args=[str(ident)], queue=queue_of(celery, kind))
    except (KombuError, OSError, TimeoutError):
        log.warning("broker unavailable; the sweep will publish %s(%s)", task, ident,
                    exc_info=True, extra=_context(kind, ident))
        return False
    except Exception:  # e.g. amqp's AccessRefused, which kombu does not wrap in KombuError
        # The row is committed: raising would answer 500 for accepted work and release its
        # Idempotency-Key, so a retry would create it twice. The sweep keeps trying.
        log.exception("could not publish %s(%s); the sweep will try again", task, ident,
                      extra=_context(kind, ident))
        return False
    return True


def _context(kind: str, ident: uuid.UUID) -> dict[str, str]:
    return {} if kind in TABLES else {"job_id": str(ident)}


def mark_unpublished(sessions: SessionFactory, unsent: list[Message]) -> None:
    """Clear `published_at` of what could not be sent, so that the next sweep sends it."""
    by_table: dict[Any, list[uuid.UUID]] = defaultdict(list)
    for kind, ident in unsent:
        by_table[TABLES.get(kind, Job)].append(ident)
    with sessions.begin() as session:
        for table, ids in by_table.items():
            session.execute(update(table).where(table.id.in_(ids)).values(published_at=None))


def publish_all(celery: Celery, sessions: SessionFactory, messages: list[Message]) -> int:
    """Send the messages in order; at the first the broker refuses, mark it and the rest for
    the sweep's next round. Returns how many were sent."""
    for sent, (kind, ident) in enumerate(messages):
        if not publish(celery, kind, ident):
            mark_unpublished(sessions, messages[sent:])
            return sent
    return len(messages)
