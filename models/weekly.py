"""Weekly hours: a person's template, and the hours they removed from it (exceptions)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class WeeklyHours(Base):
    """A person's weekly template, `{mon: [[9, 12], ...], ...}` in hours of `time_zone`.

    Its hours are materialized as availability_hours rows up to `materialized_until` (an hour
    start: the hours before it are there); the sweep moves it on as the horizon does.
    `time_zone` is the zone the rows were made in, so that they can be told again later.
    """

    __tablename__ = "weekly_hours"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[dict[str, Any]]
    time_zone: Mapped[str] = mapped_column(String(64))
    materialized_until: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class AvailabilityException(Base):
    """An hour the weekly hours offer that the person removed; adding the hour lifts it."""

    __tablename__ = "availability_exceptions"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    start: Mapped[datetime] = mapped_column(primary_key=True)
