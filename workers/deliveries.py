"""Webhook delivery attempts: claim, sign and send, then record the attempt and what comes next.

The queue's plumbing runs them in order under a lease (workers/queue/attempts.py). An attempt
is claimed with one conditional UPDATE … RETURNING that takes the delivery's
outstanding message (`published_at`) and a lease, so a duplicate message is a no-op. Retries
are scheduled in the database (`next_attempt_at`, exponential backoff with jitter) and
published by the sweep when due; a broker never holds a countdown of hours.
"""

from __future__ import annotations

import http.client
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from models import Job, SessionFactory, Webhook, WebhookAttempt, WebhookDelivery
from workers import counters, outbound, outbox, signing
from workers.addresses import Refused, Resolver, resolve
from workers.clock import Clock

FIRST_RETRY = timedelta(seconds=5)
FACTOR = 4
LONGEST_WAIT = timedelta(hours=6)
JITTER = 0.5  # each wait is lengthened by up to half of itself, at random
MAX_ATTEMPTS = 11  # the first and ten retries: about 25.6 hours at least, 38 at most
MAX_ERROR = 500


def wait_before(retry: int, rng: random.Random | None = None) -> timedelta:
    """The wait before retry number `retry` (1 is the first retry), with jitter when `rng`."""
    base: timedelta = min(FIRST_RETRY * FACTOR ** (retry - 1), LONGEST_WAIT)
    return base * (1 + JITTER * rng.random()) if rng is not None else base


def active() -> ColumnElement[bool]:
    """Deliveries whose target can take them: a job's callback, or an enabled subscription."""
    return or_(WebhookDelivery.webhook_id.is_(None), WebhookDelivery.webhook_id.in_(
        select(Webhook.id).where(Webhook.disabled_at.is_(None))))


@dataclass(frozen=True)
class Claim:
    delivery_id: uuid.UUID
    attempt: int
    webhook_id: uuid.UUID | None
    url: str
    secret: str
    body: str


@dataclass(frozen=True)
class Outcome:
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim(sessions: SessionFactory, delivery_id: uuid.UUID, lease: float,
          now: datetime) -> Claim | None:
    """Take the delivery's outstanding message if it is pending and no attempt holds it."""
    with sessions.begin() as session:
        row = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                   WebhookDelivery.published_at.is_not(None),
                   or_(WebhookDelivery.lease_expires_at.is_(None),
                       WebhookDelivery.lease_expires_at < now), active())
            .values(published_at=None, lease_expires_at=now + timedelta(seconds=lease),
                    attempts=WebhookDelivery.attempts + 1)
            .returning(WebhookDelivery.webhook_id, WebhookDelivery.job_id,
                       WebhookDelivery.body, WebhookDelivery.attempts)
        ).one_or_none()
        if row is None:
            return None
        url, secret = session.execute(
            select(Webhook.url, Webhook.secret).where(Webhook.id == row.webhook_id)
            if row.webhook_id is not None else
            select(Job.callback_url, Job.callback_secret).where(Job.id == row.job_id)).one()
    if url is None or secret is None:  # a callback delivery is recorded only with both
        raise ValueError(f"delivery {delivery_id} has no target URL or secret")
    return Claim(delivery_id, row.attempts, row.webhook_id, url, secret, row.body)


def send(claimed: Claim, clock: Clock, *, allow_private: bool, deadline: float,
         resolver: Resolver = resolve) -> tuple[Outcome, Exception | None]:
    """One HTTP attempt of at most `deadline` seconds; never raises: an unexpected error is
    returned to be raised later."""
    at = clock.now()
    started = clock.monotonic()
    code: int | None = None
    error: str | None = None
    unexpected: Exception | None = None
    try:
        headers = signing.headers(claimed.secret, str(claimed.delivery_id), claimed.body, at)
        code = outbound.post(claimed.url, claimed.body.encode(), headers,
                             allow_private=allow_private, deadline=deadline, resolver=resolver)
        if not 200 <= code < 300:
            error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400
                                      else "")
    except Refused as exc:
        error = f"refused: {exc}"
    except (OSError, http.client.HTTPException) as exc:
        error = outbound.describe(exc)
    except Exception as exc:
        error, unexpected = f"unexpected error ({type(exc).__name__})", exc
    latency = round((clock.monotonic() - started) * 1000)
    return Outcome(at, code, latency, error[:MAX_ERROR] if error else None), unexpected


def held(claimed: Claim) -> ColumnElement[bool]:
    return ((WebhookDelivery.id == claimed.delivery_id) & (WebhookDelivery.status == "pending")
            & (WebhookDelivery.attempts == claimed.attempt))


def settle(session: Session, claimed: Claim, outcome: Outcome,
           rng: random.Random | None = None) -> str:
    """Record the attempt and the delivery's next state; returns that state's status."""
    values: dict[str, object] = {"lease_expires_at": None, "next_attempt_at": None}
    if outcome.succeeded:
        values["status"] = "succeeded"
    elif outcome.status_code == 410 or claimed.attempt >= MAX_ATTEMPTS:
        values["status"] = "failed"
    else:
        values["status"] = "pending"
        values["next_attempt_at"] = outcome.at + wait_before(claimed.attempt, rng)
    still_held = session.execute(
        update(WebhookDelivery).where(held(claimed)).values(**values)
    ).rowcount == 1  # type: ignore[attr-defined]
    recorded = still_held or session.get(WebhookDelivery, claimed.delivery_id) is not None
    if recorded:
        session.add(WebhookAttempt(delivery_id=claimed.delivery_id, at=outcome.at,
                                   status_code=outcome.status_code,
                                   latency_ms=outcome.latency_ms, error=outcome.error))
    if still_held and outcome.status_code == 410 and claimed.webhook_id is not None:
        disable(session, claimed.webhook_id, "the endpoint answered 410 Gone", outcome.at)
    if recorded:  # last: see workers/counters.py
        counters.webhook_attempt(session, outcome.succeeded)
    return str(values["status"])


def disable(session: Session, webhook_id: uuid.UUID, reason: str, now: datetime) -> None:
    """Stop a subscription: no new deliveries, and its pending ones fail."""
    session.execute(update(Webhook).where(Webhook.id == webhook_id, Webhook.disabled_at.is_(None))
                    .values(disabled_at=now, disabled_reason=reason))
    session.execute(update(WebhookDelivery)
                    .where(WebhookDelivery.webhook_id == webhook_id,
                           WebhookDelivery.status == "pending")
                    .values(status="failed", next_attempt_at=None, published_at=None))


def redeliver(session: Session, delivery: WebhookDelivery, now: datetime) -> None:
    """Send a delivery again now, whatever its status (its message goes out after commit)."""
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id)
                    .values(status="pending", next_attempt_at=now, published_at=now))
    outbox.enqueue(session, outbox.DELIVERY, delivery.id)
