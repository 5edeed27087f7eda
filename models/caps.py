"""The days and weeks in which an interviewer's booked interviews reach a load cap."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

CAPS = ("max_interviews_per_day", "max_interviews_per_week")


class CappedPeriod(Base):
    """One of the interviewer's own days or weeks (its UTC bounds) that their booked interviews
    fill up to `cap`: no hour of it is free for another interview. Kept in step with every
    booking, cancellation and change of caps or zone, so that "free" stays one SQL rule."""

    __tablename__ = "capped_periods"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[datetime] = mapped_column(primary_key=True)
    cap: Mapped[str] = mapped_column(String(32), primary_key=True)
    end: Mapped[datetime]
