"""Weekly hours: a person's template, kept materialized as availability rows up to the horizon.

"Free" stays one notion: the hours a template offers are rows of availability_hours (`weekly`),
like added ones (`added`), so every query that reads free hours reads them unchanged. Offered is
weekly ∪ added − removed: an hour removed while the template offers it is an exception, which
materializing skips and adding the hour lifts (workers/availability.py). A booked hour always
stays; once neither added nor offered by the template, it goes when its interview is cancelled.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, exists, select, tuple_, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    AvailabilityException,
    AvailabilityHour,
    InterviewParticipant,
    Person,
    WeeklyHours,
)
from scheduling.hours import DEFAULT_HORIZON, floor_hour, next_full_hour
from scheduling.weekly import Template, offered_hours, offers, template
from workers.errors import Conflict
from workers.settings import Settings
from workers.zones import zone_of

ROLL_BATCH = 100  # templates rolled forward per sweep round


# PostgreSQL takes a person's hours as one array: one statement, no row per hour on the wire.
MATERIALIZE = """
    INSERT INTO availability_hours (person_id, start, role, added, weekly)
    SELECT %(person)s::uuid, unnest(%(starts)s::timestamptz[]), %(role)s, false, true
    ON CONFLICT (person_id, start) DO UPDATE SET weekly = true
"""
EXCEPT = """
    INSERT INTO availability_exceptions (person_id, start)
    SELECT %(person)s::uuid, unnest(%(starts)s::timestamptz[])
    ON CONFLICT DO NOTHING
"""


def _insert(session: Session, statement: str, person: uuid.UUID, starts: list[datetime],
            role: str | None = None) -> None:
    """Insert a person's hours into availability_hours (`role` given: materialized hours) or
    into availability_exceptions: on PostgreSQL as one array, on SQLite as an executemany."""
    if not starts:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(statement, {"person": str(person), "starts": starts,
                                                         "role": role})
        return
    if role is None:
        stmt = sqlite.insert(cast(Table, AvailabilityException.__table__)).on_conflict_do_nothing()
        rows = [{"person_id": person, "start": hour} for hour in starts]
    else:
        stmt = sqlite.insert(cast(Table, AvailabilityHour.__table__)).on_conflict_do_update(
            index_elements=["person_id", "start"], set_={"weekly": True})
        rows = [{"person_id": person, "start": hour, "role": role, "added": False,
                 "weekly": True} for hour in starts]
    session.connection().execute(stmt, rows)


def _window(settings: Settings, now: datetime) -> tuple[datetime, datetime]:
    """The hours a template fills: from the next full hour to the last one that ends within
    the horizon (the bounds of an added range, scheduling.hours.range_problem)."""
    tz = settings.tz
    return next_full_hour(now, tz), floor_hour(now + DEFAULT_HORIZON, tz)


def stored(row: WeeklyHours | None) -> Template:
    """The template a row holds (an empty one for no row)."""
    days = {} if row is None else row.days
    return template({day: [(start, end) for start, end in found] for day, found in days.items()})


def lock(session: Session, person: uuid.UUID) -> WeeklyHours | None:
    """The person's template row, with the person locked: one change of their template, or
    removal of their hours, at a time (a removal must not miss a template being replaced)."""
    session.execute(select(Person.id).where(Person.id == person)
                    .with_for_update(key_share=True))
    return session.scalars(select(WeeklyHours).where(WeeklyHours.person_id == person)
                           .with_for_update()).first()


def _materialize(session: Session, person: uuid.UUID, role: str, tmpl: Template,
                 zone: ZoneInfo, settings: Settings, start: datetime, end: datetime) -> int:
    """Insert the hours `tmpl` offers in [start, end), but the exceptions; an hour already
    there (added, or booked) is marked `weekly`. One statement for all. Returns their count."""
    removed = set(session.scalars(select(AvailabilityException.start).where(
        AvailabilityException.person_id == person, AvailabilityException.start >= start,
        AvailabilityException.start < end)))
    hours = [hour for hour in offered_hours(tmpl, zone, start, end, settings.tz)
             if hour not in removed]
    _insert(session, MATERIALIZE, person, hours, role)
    return len(hours)


def _unmaterialize(session: Session, person: uuid.UUID, start: datetime) -> None:
    """From `start` on, forget which hours the template gave; those that nothing else keeps
    (not added, not booked) go."""
    hour = AvailabilityHour
    mine = [hour.person_id == person, hour.start >= start]
    session.execute(update(hour).where(*mine, hour.weekly).values(weekly=False))
    booked = exists().where(InterviewParticipant.person_id == hour.person_id,
                            InterviewParticipant.start == hour.start)
    try:
        with session.begin_nested():
            session.execute(delete(hour).where(*mine, ~hour.added, ~booked))
    except IntegrityError as exc:  # booked between the check and the delete
        raise Conflict("an hour of the weekly hours was booked meanwhile; try again") from exc


def read(session: Session, person: uuid.UUID) -> Template:
    """The person's template; an empty one when they have none."""
    return stored(session.get(WeeklyHours, person))


def replace(session: Session, person: Person, tmpl: Template, settings: Settings,
            now: datetime) -> Template:
    """Store `tmpl` as the person's weekly hours and make its hours theirs, in the caller's
    transaction: the old template's hours go (not added ones, not booked ones), the new one's
    come (not the exceptions, which are kept)."""
    row = lock(session, person.id)
    first, until = _window(settings, now)
    _unmaterialize(session, person.id, first)
    zone = zone_of(person, settings.tz)
    _materialize(session, person.id, person.role, tmpl, zone, settings, first, until)
    days = {day: [list(i) for i in found] for day, found in tmpl.as_dict().items()}
    if row is None:
        session.add(WeeklyHours(person_id=person.id, days=days, time_zone=zone.key,
                                materialized_until=until, updated_at=now))
    else:
        row.days, row.time_zone, row.materialized_until, row.updated_at = (
            days, zone.key, until, now)
    return tmpl


def rezone(session: Session, person: Person, settings: Settings, now: datetime) -> None:
    """Make the person's weekly hours again when they were made in another zone than the
    person's now (their `time_zone` changed)."""
    row = session.get(WeeklyHours, person.id)
    if row is not None and row.time_zone != zone_of(person, settings.tz).key:
        replace(session, person, stored(row), settings, now)


def clear(session: Session, person: Person, settings: Settings, now: datetime) -> None:
    """Delete the person's weekly hours: the hours only they offered go (booked ones stay);
    the exceptions are kept for a later template."""
    row = lock(session, person.id)
    _unmaterialize(session, person.id, _window(settings, now)[0])
    if row is not None:
        session.delete(row)


def roll_forward(session: Session, settings: Settings, now: datetime,
                 limit: int = ROLL_BATCH) -> int:
    """Extend up to `limit` templates to the horizon as it moves on with time, the furthest
    behind first; rows another transaction holds are left to it. Exceptions that have passed
    are pruned on the way. Templates of people without a zone of their own that were made in
    another CALENDAR_TZ are made again first. Returns the number of templates extended or
    made again."""
    rezoned = _rezone_stale(session, settings, now, limit)
    first, until = _window(settings, now)
    rows = session.scalars(select(WeeklyHours).where(WeeklyHours.materialized_until < until)
                           .order_by(WeeklyHours.materialized_until).limit(limit)
                           .with_for_update(skip_locked=True)).all()
    if not rows:
        return rezoned
    people = [row.person_id for row in rows]
    roles: dict[uuid.UUID, str] = dict(
        session.execute(select(Person.id, Person.role).where(Person.id.in_(people))).all())
    for row in rows:
        _materialize(session, row.person_id, roles[row.person_id], stored(row),
                     ZoneInfo(row.time_zone), settings, max(row.materialized_until, first), until)
        row.materialized_until = until
    session.execute(delete(AvailabilityException).where(
        AvailabilityException.person_id.in_(people), AvailabilityException.start < first))
    return rezoned + len(rows)


def _rezone_stale(session: Session, settings: Settings, now: datetime, limit: int) -> int:
    """Make again the templates of people who follow CALENDAR_TZ, made while it was another."""
    stale = session.scalars(
        select(Person).join(WeeklyHours, WeeklyHours.person_id == Person.id)
        .where(Person.time_zone.is_(None), WeeklyHours.time_zone != settings.calendar_tz)
        .limit(limit).with_for_update(of=WeeklyHours, skip_locked=True)).all()
    for person in stale:
        rezone(session, person, settings, now)
    return len(stale)


def remember_removed(session: Session, person: uuid.UUID, hours: Sequence[datetime]) -> None:
    """Record as exceptions those of the removed `hours` (sorted) that the person's template
    offers, so that materializing it again skips them. The caller holds `lock`."""
    row = session.get(WeeklyHours, person)
    if row is None:
        return
    _insert(session, EXCEPT, person, offers(stored(row), ZoneInfo(row.time_zone), hours))


def drop_unoffered(session: Session, hours: Iterable[tuple[uuid.UUID, datetime]]) -> None:
    """Delete those (person, hour) rows that are neither added nor weekly: hours kept only
    because they were booked, once their interview is gone."""
    pairs = list(hours)
    if pairs:
        hour = AvailabilityHour
        session.execute(delete(hour).where(tuple_(hour.person_id, hour.start).in_(pairs),
                                           ~hour.added, ~hour.weekly))
