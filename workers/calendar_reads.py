"""Reading a person's calendar: fetch the feed (conditionally), expand it into busy hours, and
record what was found.

A read has two halves. `fetch_and_expand` talks to the feed's server and runs the libraries
over its text, outside any transaction: it may take the whole read deadline, and expanding a
large feed takes seconds. `record` then writes the outcome in one short transaction. A read
that fails records the error and keeps the last good busy hours (`record_failure`).

Busy hours are expanded a week past the horizon, so that a feed answered 304 Not Modified (or
an upload) is expanded again from its stored text only once a day or so as the horizon moves
on, and when the person's zone or email (which floating times and declines depend on) changes.
"""

from __future__ import annotations

import http.client
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from models import BusyHour, CalendarFeed, InterviewParticipant, Person, SessionFactory
from scheduling.hours import DEFAULT_HORIZON, floor_hour
from workers import calendars, ical, outbound
from workers.addresses import Refused, Resolver
from workers.availability import chunks
from workers.calendar_busy import Busy, Reader, busy_hours
from workers.errors import Invalid, NotFound
from workers.settings import Settings
from workers.zones import zone_of

MAX_BYTES = 10 * 1024 * 1024
READ_DEADLINE = 20.0  # seconds for one read of a feed, redirects included
PAST_HORIZON = timedelta(days=7)  # how far past the horizon busy hours are expanded
FRESH_ENOUGH = DEFAULT_HORIZON + timedelta(days=1)  # expanded less far than this: again
OK_STATUSES = (200, 304)


@dataclass(frozen=True)
class Snapshot:
    """What a read needs of the calendar and its person, taken in a short transaction."""

    id: uuid.UUID
    url: str | None
    ics: bytes | None
    etag: str | None
    last_modified: str | None
    expanded_for: tuple[str | None, datetime | None]  # read_as, busy_until
    reader: Reader


@dataclass(frozen=True)
class Outcome:
    """A successful read: the feed's text and validators, and its busy hours when it was
    expanded again (None: the stored ones stand)."""

    ics: bytes
    etag: str | None
    last_modified: str | None
    busy: Busy | None
    read_as: str
    busy_until: datetime


def snapshot(session: Session, calendar_id: uuid.UUID, settings: Settings,
             now: datetime) -> Snapshot:
    calendar = session.get(CalendarFeed, calendar_id)
    if calendar is None:
        raise NotFound("calendar", calendar_id)
    person = session.get_one(Person, calendar.person_id)
    own = session.scalars(select(InterviewParticipant.interview_id)
                          .where(InterviewParticipant.person_id == person.id))
    tz = settings.tz
    start = floor_hour(now, tz)
    reader = Reader(zone=zone_of(person, settings.tz), calendar_tz=tz, email=person.email,
                    own_uids=frozenset(map(ical.uid, own)),
                    start=start, end=floor_hour(now + DEFAULT_HORIZON + PAST_HORIZON, tz))
    return Snapshot(calendar.id, calendar.url, calendar.ics, calendar.etag,
                    calendar.last_modified, (calendar.read_as, calendar.busy_until), reader)


def _read_as(reader: Reader) -> str:
    return f"{getattr(reader.zone, 'key', reader.zone)} {reader.email}"


def fetch_and_expand(snap: Snapshot, *, allow_private: bool, resolver: Resolver,
                     now: datetime) -> Outcome:
    """Read the feed (an upload: its stored text) and expand it if it changed or its busy hours
    need expanding again. Raises Invalid, naming `url` or `calendar`, on any failure."""
    ics, etag, last_modified = snap.ics, snap.etag, snap.last_modified
    if snap.url is not None:
        answer = _fetch(snap.url, snap, allow_private, resolver)
        if answer.status == 200:
            ics = answer.body
            etag = answer.headers.get("ETag")
            last_modified = answer.headers.get("Last-Modified")
    if ics is None:
        raise Invalid("url", "the server answered 304 Not Modified to an unconditional read")
    read_as, busy_until = snap.expanded_for
    stale = (ics != snap.ics or read_as != _read_as(snap.reader) or busy_until is None
             or busy_until < now + FRESH_ENOUGH)
    busy = busy_hours(ics, snap.reader) if stale else None
    return Outcome(ics, etag, last_modified, busy, _read_as(snap.reader), snap.reader.end)


def _fetch(url: str, snap: Snapshot, allow_private: bool, resolver: Resolver) -> outbound.Answer:
    headers = {"Accept": "text/calendar, */*;q=0.5"}
    if snap.ics is not None:  # a 304 needs something to stand for
        if snap.etag:
            headers["If-None-Match"] = snap.etag
        if snap.last_modified:
            headers["If-Modified-Since"] = snap.last_modified
    try:
        answer = outbound.get(url, headers, allow_private=allow_private, max_bytes=MAX_BYTES,
                              deadline=READ_DEADLINE, resolver=resolver)
    except Refused as exc:
        raise Invalid("url", f"refused: {exc}") from None
    except outbound.Unacceptable as exc:
        raise Invalid("url", str(exc)) from None
    except (OSError, http.client.HTTPException) as exc:
        raise Invalid("url", outbound.describe(exc)) from None
    if answer.status not in OK_STATUSES:
        raise Invalid("url", f"the server answered HTTP {answer.status}")
    return answer


def record(session: Session, calendar_id: uuid.UUID, outcome: Outcome, settings: Settings,
           now: datetime) -> CalendarFeed:
    """Write a successful read: its text, validators and (when expanded) busy hours, which
    replace the calendar's (only the hours that changed are written)."""
    calendar = _locked(session, calendar_id)
    if outcome.busy is not None:
        _replace_busy(session, calendar, outcome.busy.hours)
        calendar.events = outcome.busy.events
        calendar.busy_until = outcome.busy_until
        calendar.read_as = outcome.read_as
    session.execute(delete(BusyHour).where(BusyHour.calendar_id == calendar.id,
                                           BusyHour.start < floor_hour(now, settings.tz)))
    if outcome.ics != calendar.ics:  # else no UPDATE sends up to 10 MiB again
        calendar.ics = outcome.ics
    calendar.etag, calendar.last_modified = outcome.etag, outcome.last_modified
    calendar.status, calendar.last_error = "ok", None
    _read_at(calendar, settings, now)
    return calendar


def record_failure(session: Session, calendar_id: uuid.UUID, error: str, settings: Settings,
                   now: datetime) -> None:
    """Record a failed read; the busy hours of the last good one stay."""
    calendar = session.get(CalendarFeed, calendar_id, with_for_update=True)
    if calendar is not None:
        calendar.status, calendar.last_error = "error", error[:1000]
        _read_at(calendar, settings, now)


def _read_at(calendar: CalendarFeed, settings: Settings, now: datetime) -> None:
    calendar.last_synced_at = now
    calendar.next_sync_at = now + timedelta(minutes=settings.calendar_sync_minutes)
    calendar.published_at = None


def _locked(session: Session, calendar_id: uuid.UUID) -> CalendarFeed:
    calendar = session.get(CalendarFeed, calendar_id, with_for_update=True)
    if calendar is None:  # deleted while it was being read
        raise NotFound("calendar", calendar_id)
    return calendar


def _replace_busy(session: Session, calendar: CalendarFeed, hours: list[datetime]) -> None:
    held = set(session.scalars(select(BusyHour.start).where(BusyHour.calendar_id == calendar.id)))
    wanted = set(hours)
    for gone in chunks(sorted(held - wanted)):
        session.execute(delete(BusyHour).where(BusyHour.calendar_id == calendar.id,
                                               BusyHour.start.in_(gone)))
    new = sorted(wanted - held)
    if new:
        session.execute(insert(BusyHour), [
            {"calendar_id": calendar.id, "person_id": calendar.person_id, "start": hour}
            for hour in new])


def sync_job(readers: SessionFactory, settings: Settings, resolver: Resolver, now: datetime,
             payload: dict[str, Any],
             ) -> Callable[[Session, dict[str, Any], datetime], dict[str, Any]]:
    """The `calendar.sync` job's read, done before its transaction; gives the runner that
    records it and answers the calendar. A read that fails fails the job, and the calendar
    records the error in the same transaction."""
    calendar_id = uuid.UUID(payload["calendar"])
    with readers() as session:
        snap = snapshot(session, calendar_id, settings, now)
    try:
        outcome = fetch_and_expand(snap, allow_private=settings.webhook_allow_private_networks,
                                   resolver=resolver, now=now)
    except Invalid as failed:
        error = failed.detail
        failed.also_write = lambda session: record_failure(session, calendar_id, error,
                                                           settings, now)
        raise

    def run(session: Session, _payload: dict[str, Any], at: datetime) -> dict[str, Any]:
        return calendars.described(session, record(session, calendar_id, outcome, settings, at),
                                   settings, at)
    return run


def refresh(sessions: SessionFactory, settings: Settings, resolver: Resolver,
            now: datetime, calendar_id: uuid.UUID) -> str:
    """The sweep's periodic read of one calendar (no job): its status afterwards, or `gone`."""
    try:
        with sessions() as session:
            snap = snapshot(session, calendar_id, settings, now)
        outcome = fetch_and_expand(snap, allow_private=settings.webhook_allow_private_networks,
                                   resolver=resolver, now=now)
    except NotFound:
        return "gone"
    except Invalid as failed:
        with sessions.begin() as session:
            record_failure(session, calendar_id, failed.detail, settings, now)
        return "error"
    try:
        with sessions.begin() as session:
            return record(session, calendar_id, outcome, settings, now).status
    except NotFound:
        return "gone"


def take_due(session: Session, now: datetime, stale: datetime, limit: int) -> list[uuid.UUID]:
    """Calendars whose next read is due and not already sent (or sent long ago and lost),
    each marked as sent by this sweep only."""
    feed = CalendarFeed
    due = (feed.next_sync_at <= now) & or_(feed.published_at.is_(None), feed.published_at < stale)
    return list(session.scalars(
        update(feed).where(feed.id.in_(select(feed.id).where(due).limit(limit)
                                       .scalar_subquery()), due)
        .values(published_at=now).returning(feed.id)))

