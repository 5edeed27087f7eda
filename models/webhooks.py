"""Webhook subscriptions, the deliveries of events to them (an outbox), and each attempt."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id, utcnow


class Webhook(Base):
    """A subscription: events of the listed types are signed with `secret` and sent to `url`."""

    __tablename__ = "webhooks"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]]
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))


class WebhookDelivery(Base):
    """One event for one target: a subscription, or the callback_url of the job it is about.

    `published_at` is set while a message for it is outstanding: when the delivery is recorded,
    when the sweep finds it due (`next_attempt_at`), or on a retry request. Claiming an attempt
    clears it, so a duplicate of a message already taken finds nothing to claim.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
        CheckConstraint("(webhook_id IS NULL) <> (job_id IS NULL)", name="one_target"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    webhook_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)  # the exact bytes sent (UTF-8), same on every attempt
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]


Index("ix_webhook_deliveries_webhook_id_created_at", WebhookDelivery.webhook_id,
      WebhookDelivery.created_at)
Index("ix_webhook_deliveries_job_id", WebhookDelivery.job_id)
Index("ix_webhook_deliveries_status_next_attempt_at", WebhookDelivery.status,
      WebhookDelivery.next_attempt_at)
Index("ix_webhook_deliveries_created_at", WebhookDelivery.created_at)  # retention, oldest first


class WebhookAttempt(Base):
    """One try at sending a delivery: when, the answer's status code, how long, what went wrong."""

    __tablename__ = "webhook_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    status_code: Mapped[int | None]
    latency_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(Text)


Index("ix_webhook_attempts_delivery_id_at", WebhookAttempt.delivery_id, WebhookAttempt.at)
