"""SQLAlchemy tables, the engine and session factory, and the Alembic migrations."""

from models.base import Base, utcnow
from models.calendar import AvailabilityHour, Interview, InterviewParticipant
from models.caps import CAPS, CappedPeriod
from models.counters import Counter
from models.db import (
    SessionFactory,
    make_engine,
    make_session_factory,
    per_statement,
    read_only,
)
from models.feeds import BusyHour, CalendarFeed
from models.idempotency import IdempotencyKey
from models.jobs import Job
from models.people import ApiKey, Person, PersonTag
from models.webhooks import Webhook, WebhookAttempt, WebhookDelivery
from models.weekly import AvailabilityException, WeeklyHours

__all__ = [
    "CAPS",
    "ApiKey",
    "AvailabilityException",
    "AvailabilityHour",
    "Base",
    "BusyHour",
    "CalendarFeed",
    "CappedPeriod",
    "Counter",
    "IdempotencyKey",
    "Interview",
    "InterviewParticipant",
    "Job",
    "Person",
    "PersonTag",
    "SessionFactory",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WeeklyHours",
    "make_engine",
    "make_session_factory",
    "per_statement",
    "read_only",
    "utcnow",
]
