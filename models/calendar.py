"""Availability hours and interviews; their constraints guarantee no double booking."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id, utcnow


class AvailabilityHour(Base):
    """One free-or-booked hour of one person; the primary key makes adding an hour twice a no-op.

    `role` is the person's (a person's role never changes), copied here so that an index can
    hold the interviewers' hours only: "who is free at these hours" reads that index alone.
    Why the hour is there: `added` by the person (or an admin), `weekly` because their weekly
    hours offer it; a booked hour that lost both stays until its interview is cancelled.
    """

    __tablename__ = "availability_hours"

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    start: Mapped[datetime] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # every insert gives it: no query per row
    # Defaults on both sides: the server's for raw inserts, SQLAlchemy's so that an ORM insert
    # has nothing to read back.
    added: Mapped[bool] = mapped_column(default=True, server_default=true())
    weekly: Mapped[bool] = mapped_column(default=False, server_default=false())


INTERVIEWERS_ONLY = AvailabilityHour.role == "interviewer"
Index("ix_availability_hours_start_person_id", AvailabilityHour.start, AvailabilityHour.person_id)
Index("ix_availability_hours_interviewers", AvailabilityHour.start, AvailabilityHour.person_id,
      postgresql_where=INTERVIEWERS_ONLY, sqlite_where=INTERVIEWERS_ONLY)


class Interview(Base):
    """One hour of one candidate with a panel; its participants are in interview_participants.

    `sequence` is the .ics SEQUENCE: 0 at booking, raised by each change, so that a calendar
    holding the event replaces its copy; `modified_at` is the time of that change (null: none).
    """

    __tablename__ = "interviews"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime]
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True)  # set to null as jobs are pruned
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str | None] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    modified_at: Mapped[datetime | None]


class InterviewParticipant(Base):
    """A person sitting in an interview at an hour.

    UNIQUE(person_id, start) makes double booking impossible; the foreign key to
    availability_hours makes booking an hour outside someone's availability impossible and
    refuses removing a booked hour.
    """

    __tablename__ = "interview_participants"
    __table_args__ = (
        UniqueConstraint("person_id", "start"),
        ForeignKeyConstraint(
            ["person_id", "start"],
            ["availability_hours.person_id", "availability_hours.start"],
            name="fk_interview_participants_person_id_start_availability_hours",
        ),
    )

    interview_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    start: Mapped[datetime]
