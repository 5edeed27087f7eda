"""People's own calendars (iCalendar feeds or uploads) and the busy hours read from them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, new_id


class CalendarFeed(Base):
    """A feed a person registered (`url`) or uploaded (`url` null).

    `ics` is the last text read that could be parsed (an upload's from the start): a read
    answered 304 Not Modified, or a horizon that moved on, is expanded from it. `busy_until` is
    how far its busy hours were expanded and `read_as` the person's zone and email they were
    expanded for: past either, the calendar is expanded again. `next_sync_at` is when the sweep
    reads it next; `published_at` when the sweep last sent it to be read (null: nothing
    outstanding). `status` is `pending` until the first read ends.
    """

    __tablename__ = "calendars"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8), default="pending")
    last_synced_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    events: Mapped[int] = mapped_column(default=0)
    ics: Mapped[bytes | None] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    read_as: Mapped[str | None] = mapped_column(Text)
    busy_until: Mapped[datetime | None]
    next_sync_at: Mapped[datetime] = mapped_column(index=True)
    published_at: Mapped[datetime | None]


class BusyHour(Base):
    """An hour (on the hour in CALENDAR_TZ) a blocking event of `calendar_id` overlaps; the
    person is copied here so that "is this person busy then" is one index probe."""

    __tablename__ = "busy_hours"

    calendar_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[datetime] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))


Index("ix_busy_hours_person_id_start", BusyHour.person_id, BusyHour.start)
# Everyone's busy rows at a few hours: what a candidate-only slot request asks.
Index("ix_busy_hours_start_person_id", BusyHour.start, BusyHour.person_id)
