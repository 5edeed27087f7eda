"""Load caps (SPEC §5): an interviewer's interviews counted in their own days and weeks.

A booking that would pass a cap is refused here (unless overridden). The days and weeks that
bookings fill up to a cap are kept in `capped_periods`, rewritten for a person on every change
of their interviews, caps or zone, so that "free" stays one rule in SQL
(`workers/free_hours.py`) however many people a query reads.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from models import CAPS, CappedPeriod, InterviewParticipant, Person
from scheduling import periods
from scheduling.periods import Period
from workers.availability import chunks
from workers.zones import zone_of

WEEK_AND_A_DAY = timedelta(days=8)  # the longest a period reaches back before an hour


def _cap(person: Person, cap: str) -> int | None:
    """The person's `cap` (one of CAPS), None for none."""
    value: int | None = getattr(person, cap)
    return value


def _capped(session: Session, people: Collection[uuid.UUID], *,
            lock: bool = False) -> list[Person]:
    """Those of `people` with a cap; locked (on PostgreSQL) when the caller is about to book
    them: two bookings of one interviewer then count one after the other."""
    capped = (Person.max_interviews_per_day.is_not(None)
              | Person.max_interviews_per_week.is_not(None))
    out: list[Person] = []
    for batch in chunks(sorted(people)):  # in id order: lockers wait for each other, no cycle
        stmt = select(Person).where(Person.id.in_(batch), capped).order_by(Person.id)
        out += session.scalars(stmt.with_for_update() if lock else stmt)
    return out


def _starts(session: Session, people: Collection[uuid.UUID], start: datetime,
            end: datetime | None = None,
            ignoring: uuid.UUID | None = None) -> dict[uuid.UUID, list[datetime]]:
    """The start of every interview of `people` in [start, end), but `ignoring`."""
    out: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for batch in chunks(people):
        stmt = select(InterviewParticipant.person_id, InterviewParticipant.start).where(
            InterviewParticipant.person_id.in_(batch), InterviewParticipant.start >= start)
        if end is not None:
            stmt = stmt.where(InterviewParticipant.start < end)
        if ignoring is not None:
            stmt = stmt.where(InterviewParticipant.interview_id != ignoring)
        for person, at in session.execute(stmt):
            out[person].append(at)
    return out


def booked(person: Person, starts: Iterable[datetime], tz: tzinfo) -> Counter[Period]:
    """How many of the interviews at `starts` fall in each of the person's capped periods."""
    zone = zone_of(person, tz)
    return Counter(periods.containing(cap, at, zone) for at in starts for cap in CAPS
                   if _cap(person, cap) is not None)


def passed(session: Session, interviewers: Collection[uuid.UUID], hour: datetime, tz: tzinfo,
           ignoring: uuid.UUID | None = None) -> list[str]:
    """Who an interview at `hour` would take past a cap, as "id (cap n)"; the interview
    `ignoring` (one being moved) is not counted. Locks the capped interviewers' rows."""
    capped = _capped(session, interviewers, lock=True)
    starts = _starts(session, [p.id for p in capped], hour - WEEK_AND_A_DAY,
                     hour + WEEK_AND_A_DAY, ignoring)
    out = []
    for person in capped:
        counts, zone = booked(person, starts.get(person.id, []), tz), zone_of(person, tz)
        out += [f"{person.id} ({cap} {limit})" for cap in CAPS
                if (limit := _cap(person, cap)) is not None
                and counts[periods.containing(cap, hour, zone)] >= limit]
    return out


def refresh(session: Session, people: Collection[uuid.UUID], tz: tzinfo, now: datetime) -> None:
    """Rewrite the capped periods of `people` from their interviews of this week on."""
    if not people:
        return
    for batch in chunks(people):
        session.execute(delete(CappedPeriod).where(CappedPeriod.person_id.in_(batch)))
    capped = _capped(session, people)
    starts = _starts(session, [p.id for p in capped], now - WEEK_AND_A_DAY)
    rows = []
    for person in capped:
        zone = zone_of(person, tz)
        for period, n in booked(person, starts.get(person.id, []), tz).items():
            if n >= (_cap(person, period[0]) or 0):
                start, end = periods.bounds(period, zone)
                rows.append({"person_id": person.id, "cap": period[0], "start": start,
                             "end": end})
    if rows:
        session.execute(insert(CappedPeriod), rows)


def rooms(session: Session, free: Mapping[str, Collection[int]], start: datetime,
          end: datetime, tz: tzinfo) -> dict[str, list[tuple[frozenset[int], int]]]:
    """What caps leave a match: for each capped interviewer of `free` (their free hours in
    [start, end) as Unix seconds), each day or week whose free hours could take them past a
    cap, as those hours and how many more interviews the cap allows (0 when it is reached)."""
    capped = _capped(session, [uuid.UUID(p) for p in free])
    starts = _starts(session, [p.id for p in capped], start - WEEK_AND_A_DAY,
                     end + WEEK_AND_A_DAY)
    out: dict[str, list[tuple[frozenset[int], int]]] = {}
    for person in capped:
        zone, counts = zone_of(person, tz), booked(person, starts.get(person.id, []), tz)
        caps = [(cap, limit) for cap in CAPS if (limit := _cap(person, cap)) is not None]
        hours: dict[Period, list[int]] = defaultdict(list)
        for second in free[str(person.id)]:
            local = datetime.fromtimestamp(second, zone).date()
            for cap, _ in caps:
                hours[periods.of(cap, local)].append(second)
        limits = dict(caps)
        out[str(person.id)] = [
            (frozenset(held), room) for period, held in hours.items()
            if (room := max(0, limits[period[0]] - counts[period])) < len(held)]
    return out


def overfilled(session: Session, added: Mapping[uuid.UUID, Collection[datetime]],
               tz: tzinfo) -> list[str]:
    """Who the interviews at `added` (just written, by interviewer) take past a cap, as
    "id (cap n)": what a match must find empty, or its calendar changed while it solved.
    Locks the capped interviewers' rows, as a booking does."""
    capped = _capped(session, list(added), lock=True)
    if not capped:
        return []
    every = [at for person in capped for at in added[person.id]]
    starts = _starts(session, [p.id for p in capped], min(every) - WEEK_AND_A_DAY,
                     max(every) + WEEK_AND_A_DAY)
    out = []
    for person in capped:
        counts, zone = booked(person, starts.get(person.id, []), tz), zone_of(person, tz)
        full = {period for period in {periods.containing(cap, at, zone)
                                      for at in added[person.id] for cap in CAPS
                                      if _cap(person, cap) is not None}
                if counts[period] > (_cap(person, period[0]) or 0)}
        out += [f"{person.id} ({cap} {_cap(person, cap)})" for cap, _ in sorted(full)]
    return out
