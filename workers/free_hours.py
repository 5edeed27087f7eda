"""Who is free when: the calendar's read queries, for slots, matches and bookings.

"Free" (SPEC §5) is offered, not booked, not busy and not capped: an hour row of
availability_hours (offered by weekly hours or added, less the removed) that no interview
books (`_booked`), no calendar of the person's makes busy (`_busy`), and no capped period of
theirs holds (`_capped`). `_open` is that rule, and every query here applies it (caps aside
where the caller weighs them); `_why_not_free` names the first of those parts an hour fails. Each
query is built for the size it meets: a match reads millions of hours, a slot request runs on
every page view.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Text,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.types import NullType, Uuid

from models import AvailabilityHour, BusyHour, CappedPeriod, InterviewParticipant, Person
from scheduling.hours import HOUR
from workers.availability import chunks

DIALECTS = ("postgresql", "sqlite")


def _booked(hour: type[AvailabilityHour]) -> ColumnElement[bool]:
    """An interview books the hour row (or an alias of the table)."""
    return exists().where(InterviewParticipant.person_id == hour.person_id,
                          InterviewParticipant.start == hour.start)


def _busy(hour: type[AvailabilityHour],
          busy_at: Sequence[ColumnElement[bool]] = ()) -> ColumnElement[bool]:
    """A calendar of the person's makes the hour busy.

    `busy_at` repeats, on the busy row, what the query asks of the hour row: feeds reach a
    year ahead, and PostgreSQL then reads only the asked hours' busy rows (by the index on
    start) instead of scanning, or probing, every busy hour of everyone."""
    return exists().where(BusyHour.person_id == hour.person_id, BusyHour.start == hour.start,
                          *busy_at)


def _capped(hour: type[AvailabilityHour]) -> ColumnElement[bool]:
    """A load cap of the person's is reached in the hour's day or week."""
    return exists().where(CappedPeriod.person_id == hour.person_id,
                          CappedPeriod.start <= hour.start, CappedPeriod.end > hour.start)


def _open(hour: type[AvailabilityHour], busy_at: Sequence[ColumnElement[bool]] = (), *,
          caps: bool = True) -> ColumnElement[bool]:
    """The rule of "free" for one hour row: not booked, not busy, and (unless `caps` is false:
    a match weighs caps itself, a booking refuses them with its own answer) not capped."""
    rule = ~_booked(hour) & ~_busy(hour, busy_at)
    if caps:
        rule &= ~_capped(hour)
    return rule


def _why_not_free(hour: type[AvailabilityHour],
                  busy_at: Sequence[ColumnElement[bool]]) -> ColumnElement[str | None]:
    """The first part of `_open` that the hour row fails (`booked`, `busy`, `cap_reached`),
    null when it is free: the same conditions, asked in the order SPEC gives the reasons."""
    return case((_booked(hour), literal("booked")), (_busy(hour, busy_at), literal("busy")),
                (_capped(hour), literal("cap_reached")), else_=null())


def _within(start: datetime | ColumnElement[datetime], end: datetime | ColumnElement[datetime],
            hours: Sequence[datetime] = (),
            ) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """The hour rows in [start, end), and only `hours` of them if given; and the same asked of
    the busy rows (see `_busy`)."""
    hour = AvailabilityHour
    at = [hour.start >= start, hour.start < end]
    busy_at = [BusyHour.start >= start, BusyHour.start < end]
    if hours:
        at.append(hour.start.in_(hours))
        busy_at.append(BusyHour.start.in_(hours))
    return at, busy_at


def _free(start: datetime | ColumnElement[datetime], end: datetime | ColumnElement[datetime],
          hours: Sequence[datetime] = (), *, caps: bool = True) -> list[ColumnElement[bool]]:
    """Free hours in [start, end), and only `hours` of them if given."""
    at, busy_at = _within(start, end, hours)
    return [*at, _open(AvailabilityHour, busy_at, caps=caps)]


def offered_with_reasons(session: Session, people: Sequence[uuid.UUID], start: datetime,
                         end: datetime) -> dict[uuid.UUID, dict[datetime, str | None]]:
    """Each of `people`'s offered hours in [start, end), with why it is not free (`booked`,
    `busy`, `cap_reached`; None when it is free), in one query.

    PostgreSQL sends one row per person and reason, the hours as an array of numbers (as in
    `free_seconds`): a year of hours of 51 people is some 450,000, and a row for each costs
    several times the query."""
    hour = AvailabilityHour
    at, busy_at = _within(start, end)
    rows = (select(hour.person_id.label("person"), hour.start.label("start"),
                   _why_not_free(hour, busy_at).label("reason"))
            .where(hour.person_id.in_(people), *at).subquery())
    out: dict[uuid.UUID, dict[datetime, str | None]] = {person: {} for person in people}
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        seconds = _as_sent(func.array_agg(cast(func.date_part("epoch", rows.c.start),
                                               BigInteger)))
        for person, reason, starts in connection.execute(
                select(rows.c.person, rows.c.reason, seconds)
                .group_by(rows.c.person, rows.c.reason)):
            out[person].update(dict.fromkeys((datetime.fromtimestamp(s, UTC) for s in starts),
                                             reason))
    else:
        for person, start_at, reason in connection.execute(select(rows)):
            out[person][start_at] = reason
    return out


def _as_sent(array: ColumnElement[Any]) -> ColumnElement[Any]:
    """An array as psycopg2 parses it (in C), without SQLAlchemy visiting every element."""
    return type_coerce(array, NullType())


def free_seconds(session: Session, role: str, people: Sequence[uuid.UUID] | None,
                 start: datetime, end: datetime) -> dict[str, list[int]]:
    """Free hours in [start, end), caps aside, as Unix seconds, by person id: of each of
    `people` (possibly none), or of everyone of `role` with one.

    PostgreSQL sends one row per person, their hours as an array of numbers (date_part, not
    extract: its numeric costs more): a match reads millions of hours, and the solver takes
    them as they come, with no datetime and no row per hour.
    """
    hour = AvailabilityHour
    where = [hour.role == role, *_free(start, end, caps=False)]
    out: dict[str, list[int]] = {}
    batches: Iterable[list[uuid.UUID] | None] = [None]
    if people is not None:
        out.update((str(p), []) for p in people)
        batches = chunks(people)
    connection = session.connection()
    seconds = _as_sent(func.array_agg(cast(func.date_part("epoch", hour.start), BigInteger)))
    for batch in batches:
        of_batch = [] if batch is None else [hour.person_id.in_(batch)]
        if connection.dialect.name == "postgresql":
            out.update(connection.execute(select(cast(hour.person_id, Text), seconds)
                                          .where(*where, *of_batch)
                                          .group_by(hour.person_id)).all())
        else:
            for ident, start_at in connection.execute(
                    select(hour.person_id, hour.start).where(*where, *of_batch)):
                out.setdefault(str(ident), []).append(int(start_at.timestamp()))
    return out


def _one_of(column: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID],
            dialect: str) -> ColumnElement[bool]:
    """`column` is one of the ids in the parameter `people`: on PostgreSQL one array parameter
    (nothing rendered per request), elsewhere an IN list expanded for its length."""
    if dialect == "postgresql":
        return column == any_(bindparam("people", type_=ARRAY(Uuid)))
    return column.in_(bindparam("people", expanding=True))


def _all_free(dialect: str) -> Select[datetime]:
    hour = AvailabilityHour
    return (select(hour.start)
            .where(_one_of(hour.person_id, dialect), *_free(bindparam("start"), bindparam("end")))
            .group_by(hour.start).having(func.count() == bindparam("n", type_=Integer))
            .order_by(hour.start).limit(bindparam("limit", type_=Integer)))


# Built once per dialect: the slot query runs on every slot request, and building it is a good
# part of SQLAlchemy's cost there.
_ALL_FREE = {dialect: _all_free(dialect) for dialect in DIALECTS}
_ROLES_AND_ALL_FREE = {dialect: union_all(
    select(Person.id, Person.role, type_coerce(null(), AvailabilityHour.start.type))
    .where(_one_of(Person.id, dialect)),
    select(null(), null(), _ALL_FREE[dialect].subquery().c.start)) for dialect in DIALECTS}


def _all_free_params(people: Sequence[uuid.UUID], start: datetime, end: datetime,
                     limit: int) -> dict[str, Any]:
    return {"people": list(people), "start": start, "end": end, "n": len(people),
            "limit": limit}


def hours_all_free(session: Session, people: Sequence[uuid.UUID], start: datetime,
                   end: datetime, limit: int) -> list[datetime]:
    """The first `limit` hours in the window at which every one of `people` is free."""
    connection = session.connection()
    return list(connection.scalars(_ALL_FREE[connection.dialect.name],
                                   _all_free_params(people, start, end, limit)))


def roles_and_hours_all_free(session: Session, people: Sequence[uuid.UUID], start: datetime,
                             end: datetime, limit: int,
                             ) -> tuple[dict[uuid.UUID, str], list[datetime]]:
    """The roles of `people` (those that exist) and `hours_all_free` of them, in one round
    trip: a slot request needs both first, and it takes about a millisecond in all."""
    roles, hours = {}, []
    connection = session.connection()
    for ident, role, hour in connection.execute(_ROLES_AND_ALL_FREE[connection.dialect.name],
                                                _all_free_params(people, start, end, limit)):
        if hour is None:
            roles[ident] = role
        else:
            hours.append(hour)
    return roles, sorted(hours)  # a union keeps no order


def free_by_hour(session: Session, role: str,
                 hours: Sequence[datetime]) -> dict[datetime, list[str]]:
    """Everyone of `role` free at each of `hours` (ids as strings, sorted).

    PostgreSQL gathers each hour's ids into one comma-separated string: an hour can have
    thousands of free interviewers, a row (with a UUID object) for each would cost more than the
    query, and splitting one string is several times faster than parsing an array of them.
    """
    if not hours:
        return {}
    hour = AvailabilityHour
    where = [hour.role == role, *_free(min(hours), max(hours) + HOUR, hours)]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = func.string_agg(cast(hour.person_id, Text),
                              aggregate_order_by(literal_column("','"), hour.person_id))
        return {start: people.split(",") for start, people in connection.execute(
            select(hour.start, ids).where(*where).group_by(hour.start))}
    out: dict[datetime, list[str]] = defaultdict(list)
    for start, person in connection.execute(
            select(hour.start, hour.person_id).where(*where).order_by(hour.start,
                                                                      hour.person_id)):
        out[start].append(str(person))
    return out


def someone_free(session: Session, anchor: uuid.UUID, role: str,
                 hours: Sequence[datetime]) -> list[datetime]:
    """Those of `hours` at which someone of `role` is free, in order (`anchor`, of the other
    role, is free at each of them). Each hour's probe stops at the first free person: an hour
    with thousands free costs no more than an hour with one."""
    if not hours:
        return []
    hour, other = aliased(AvailabilityHour), aliased(AvailabilityHour)
    someone = exists().where(other.role == role, other.start == hour.start,
                             _open(other, [BusyHour.start.in_(hours)]))
    return list(session.scalars(select(hour.start).where(
        hour.person_id == anchor, hour.start.in_(hours), someone).order_by(hour.start)))


def who_is_not_free(session: Session, people: Sequence[uuid.UUID], hour: datetime) -> list[str]:
    """Those of `people` not free at `hour` (caps aside), in the given order."""
    free = set(session.scalars(select(AvailabilityHour.person_id).where(
        AvailabilityHour.person_id.in_(people), *_free(hour, hour + HOUR, caps=False))))
    return [str(p) for p in people if p not in free]
