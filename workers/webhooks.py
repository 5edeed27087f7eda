"""Webhook subscriptions, their deliveries with every attempt, and sending one again."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Webhook, WebhookAttempt, WebhookDelivery
from workers import deliveries, signing
from workers.errors import Conflict
from workers.lookup import get_or_404
from workers.resources import z


def subscribe(session: Session, url: str, events: list[str], now: datetime) -> Webhook:
    """A subscription with a new signing secret (shown only in the answer to this)."""
    webhook = Webhook(id=uuid.uuid4(), url=url, events=events, secret=signing.new_secret(),
                      created_at=now)
    session.add(webhook)
    session.flush()
    return webhook


def unsubscribe(session: Session, raw_id: str) -> None:
    """Delete a subscription and its deliveries: nothing more is sent to it."""
    webhook = get_or_404(session, Webhook, raw_id, "webhook")
    session.execute(delete(Webhook).where(Webhook.id == webhook.id))


def delivery(session: Session, webhook: Webhook, raw_id: str) -> WebhookDelivery:
    """One of the subscription's deliveries (404 for another's)."""
    return get_or_404(session, WebhookDelivery, raw_id, "delivery",
                      visible=lambda found: found.webhook_id == webhook.id)


def redeliver(session: Session, webhook: Webhook, raw_id: str, now: datetime,
              ) -> WebhookDelivery:
    """Send one of the subscription's deliveries again now; 409 if it is disabled."""
    if webhook.disabled_at is not None:
        raise Conflict(f"webhook {webhook.id} is disabled ({webhook.disabled_reason}); "
                       "subscribe the URL again")
    found = delivery(session, webhook, raw_id)
    deliveries.redeliver(session, found, now)
    return found


def with_attempts(session: Session, rows: Sequence[WebhookDelivery]) -> list[dict[str, Any]]:
    """Deliveries as the API shows them, each with its attempts in order."""
    attempts: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for attempt in session.scalars(select(WebhookAttempt).where(
            WebhookAttempt.delivery_id.in_([d.id for d in rows]))
            .order_by(WebhookAttempt.at, WebhookAttempt.id)):
        attempts[attempt.delivery_id].append({
            "at": z(attempt.at), "status_code": attempt.status_code,
            "latency_ms": attempt.latency_ms, "error": attempt.error})
    return [{"id": str(d.id), "type": d.type, "status": d.status, "created_at": z(d.created_at),
             "next_attempt_at": z(d.next_attempt_at), "attempts": attempts[d.id]} for d in rows]
