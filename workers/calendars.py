"""A person's own calendars (SPEC §5, Calendars): registering a feed or an upload, listing them,
reading one again now, deleting one. Each registration and each "read it now" is a
`calendar.sync` job (workers/calendar_reads.py reads the feed)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from models import BusyHour, CalendarFeed, Job, Person
from scheduling.hours import DEFAULT_HORIZON, next_full_hour
from workers import outbox
from workers.errors import Conflict, Problem
from workers.lookup import get_or_404
from workers.resources import z
from workers.settings import Settings

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the same bound as a feed's
MAX_PER_PERSON = 20  # each is read every CALENDAR_SYNC_MINUTES: a person's share of the workers
SYNC = "calendar.sync"


def add(session: Session, person: Person, *, settings: Settings, now: datetime,
        submitted_by: uuid.UUID | None, url: str | None = None, upload: bytes | None = None,
        callback_url: str | None = None) -> Job:
    """Register a feed (`url`) or an upload, and queue the job that reads it at once; 413 for
    an upload past its bound, 409 for a person at MAX_PER_PERSON calendars."""
    if upload is not None and len(upload) > MAX_UPLOAD_BYTES:
        raise Problem(413, f"the calendar is {len(upload):,} bytes; at most "
                           f"{MAX_UPLOAD_BYTES:,} are read")
    session.execute(select(Person.id).where(Person.id == person.id)  # one at a time
                    .with_for_update())
    held = session.scalar(select(func.count()).select_from(CalendarFeed)
                          .where(CalendarFeed.person_id == person.id))
    if held is not None and held >= MAX_PER_PERSON:
        raise Conflict(f"a person has at most {MAX_PER_PERSON} calendars; delete one first")
    calendar = CalendarFeed(id=uuid.uuid4(), person_id=person.id, url=url, ics=upload,
                            created_at=now, status="pending", events=0,
                            next_sync_at=now + timedelta(minutes=settings.calendar_sync_minutes))
    session.add(calendar)
    session.flush()
    return sync(session, calendar, now, submitted_by, callback_url)


def sync(session: Session, calendar: CalendarFeed, now: datetime,
         submitted_by: uuid.UUID | None, callback_url: str | None = None) -> Job:
    """Queue a job that reads the calendar now."""
    return outbox.submit(session, SYNC, {"calendar": str(calendar.id)}, now=now,
                         submitted_by=submitted_by, callback_url=callback_url)


def read_soon(session: Session, person: uuid.UUID, now: datetime) -> None:
    """Have the sweep read the person's calendars at its next round."""
    session.execute(update(CalendarFeed).where(CalendarFeed.person_id == person)
                    .values(next_sync_at=now))


def of_person(person: uuid.UUID) -> Select[CalendarFeed]:
    return select(CalendarFeed).where(CalendarFeed.person_id == person)


def get(session: Session, person: Person, raw_id: str, **options: Any) -> CalendarFeed:
    """The person's calendar with that id (404 for another's)."""
    return get_or_404(session, CalendarFeed, raw_id, "calendar",
                      visible=lambda calendar: calendar.person_id == person.id, **options)


def remove(session: Session, calendar: CalendarFeed) -> None:
    """Delete the calendar and, at once, its busy hours."""
    session.execute(delete(BusyHour).where(BusyHour.calendar_id == calendar.id))
    session.delete(calendar)


def busy_counts(session: Session, calendars: Sequence[uuid.UUID], settings: Settings,
                now: datetime) -> dict[uuid.UUID, int]:
    """Each calendar's busy hours from the next full hour to the horizon."""
    first = next_full_hour(now, settings.tz)
    return dict(session.execute(
        select(BusyHour.calendar_id, func.count()).where(
            BusyHour.calendar_id.in_(calendars), BusyHour.start >= first,
            BusyHour.start < now + DEFAULT_HORIZON).group_by(BusyHour.calendar_id)).all())


def render(calendar: CalendarFeed, busy_hours: int) -> dict[str, Any]:
    """`{id, url, status, last_synced_at, last_error, events, busy_hours}`."""
    return {"id": str(calendar.id), "url": calendar.url, "status": calendar.status,
            "last_synced_at": z(calendar.last_synced_at), "last_error": calendar.last_error,
            "events": calendar.events, "busy_hours": busy_hours}


def described(session: Session, calendar: CalendarFeed, settings: Settings,
              now: datetime) -> dict[str, Any]:
    """One calendar as the API and its jobs answer it."""
    return render(calendar, busy_counts(session, [calendar.id], settings, now).get(calendar.id, 0))
