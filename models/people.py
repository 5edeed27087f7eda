"""People (interviewers and candidates) and the API keys that act for them or for an admin."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id, utcnow

ROLES = ("admin", "interviewer", "candidate")
PERSON_ROLES = ("interviewer", "candidate")


class Person(Base):
    """`time_zone` null means CALENDAR_TZ; a cap null means no cap."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("role IN ('interviewer', 'candidate')", name="role"),
        CheckConstraint("max_interviews_per_day BETWEEN 1 AND 24", name="max_interviews_per_day"),
        CheckConstraint("max_interviews_per_week BETWEEN 1 AND 168",
                        name="max_interviews_per_week"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    max_interviews_per_day: Mapped[int | None] = mapped_column(SmallInteger)
    max_interviews_per_week: Mapped[int | None] = mapped_column(SmallInteger)


class PersonTag(Base):
    """One tag of an interviewer: a row each, so that `?tag=` is an indexed lookup."""

    __tablename__ = "person_tags"
    __table_args__ = (Index("ix_person_tags_tag", "tag", "person_id"),)

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiKey(Base):
    """A bearer key; only its SHA-256 is stored (keys are 256-bit random: no slow hash needed)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'interviewer', 'candidate')", name="role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
