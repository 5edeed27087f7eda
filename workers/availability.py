"""Job runners for availability: add, remove and bulk import, each in the caller's transaction."""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    AvailabilityException,
    AvailabilityHour,
    BusyHour,
    InterviewParticipant,
    Person,
)
from scheduling.hours import Range, merge, merge_ranges
from workers import weekly_hours
from workers.errors import Conflict, NotFound
from workers.lookup import parse_id
from workers.resources import z

CHUNK = 5000  # ids per IN (...) list: below SQLite's 32,766 bound variables


def encode_ranges(ranges: Iterable[Range]) -> list[list[str]]:
    """Ranges as they are stored in a job's payload."""
    return [[r.start.isoformat(), r.end.isoformat()] for r in ranges]


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """`items` in lists of `size`, each small enough for one IN (...) list."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def missing_people(session: Session, ids: set[uuid.UUID]) -> list[uuid.UUID]:
    """The ids among `ids` that name no person, sorted."""
    found: set[uuid.UUID] = set()
    for chunk in chunks(ids):
        found.update(session.scalars(select(Person.id).where(Person.id.in_(chunk))))
    return sorted(ids - found)


def _require_people(session: Session, ids: set[uuid.UUID]) -> None:
    missing = missing_people(session, ids)
    if missing:
        raise _not_found(missing[0])


def _not_found(person: uuid.UUID) -> NotFound:
    return NotFound("person", person)


def _decode_ranges(encoded: Iterable[Sequence[str]]) -> list[Range]:
    return merge_ranges(Range(datetime.fromisoformat(start), datetime.fromisoformat(end))
                        for start, end in encoded)


UTC_ISO = len("2026-01-01T00:00:00+00:00")


def _merged(encoded: list[list[str]]) -> list[list[str]]:
    """A person's ranges, sorted and disjoint. The API's payloads already are, in the one form
    it writes (UTC, `+00:00`), whose strings sort as their instants do: checking them costs no
    parsing. Anything else is parsed and merged."""
    previous_end = ""
    for start, end in encoded:
        if not (len(start) == len(end) == UTC_ISO and start.endswith("+00:00")
                and end.endswith("+00:00") and previous_end <= start < end):
            return encode_ranges(_decode_ranges(encoded))
        previous_end = end
    return encoded


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# Hours are made from ranges inside PostgreSQL: one row per hour never passes through Python.
# `+ interval '1 hour'` is an absolute hour on timestamptz, whatever the session's time zone.
# An hour the weekly hours gave becomes `added` too (so it stays when the template changes) but
# counts as already present: xmax = 0 tells a row inserted from one updated. Adding an hour lifts
# its exception. Answers (hours added, hours asked for); the ranges are disjoint (see _merged).
EXPAND_RANGES = """
    WITH ranges AS ({source}), lifted AS (
        DELETE FROM availability_exceptions AS e USING ranges
        WHERE e.person_id = ranges.person_id AND e.start >= range_start
              AND e.start < range_end), inserted AS (
        INSERT INTO availability_hours AS h (person_id, start, role)
        SELECT ranges.person_id, generate_series(range_start, range_end - interval '1 hour',
                                                 interval '1 hour'), people.role
        FROM ranges JOIN people ON people.id = ranges.person_id
        ON CONFLICT (person_id, start) DO UPDATE SET added = true WHERE NOT h.added
        RETURNING xmax = 0 AS fresh)
    SELECT (SELECT count(*) FROM inserted WHERE fresh),
           (SELECT coalesce(sum(extract(epoch FROM range_end - range_start)), 0) / 3600
            FROM ranges)
"""
ONE_PERSONS_RANGES = """SELECT %(person)s::uuid AS person_id, range_start, range_end
    FROM unnest(%(starts)s::timestamptz[], %(ends)s::timestamptz[]) AS r(range_start, range_end)
"""


def _counts(result: Any) -> tuple[int, int]:
    added, asked = result.one()
    return int(added), int(asked)


def _copy_ranges(session: Session, ranges: dict[uuid.UUID, list[list[str]]]) -> tuple[int, int]:
    """PostgreSQL: COPY the ranges into a staging table, then expand them into hours with one
    INSERT … SELECT … ON CONFLICT DO NOTHING. Returns (hours added, hours asked for)."""
    connection = session.connection()
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE availability_staging "
        "(person_id uuid, range_start timestamptz, range_end timestamptz) ON COMMIT DROP")
    lines = io.StringIO("".join(f"{person}\t{start}\t{end}\n"
                                for person, merged in ranges.items() for start, end in merged))
    with connection.connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
        cursor.copy_expert("COPY availability_staging FROM STDIN", lines)
    return _counts(connection.exec_driver_sql(EXPAND_RANGES.format(
        source="SELECT person_id, range_start, range_end FROM availability_staging")))


def _within(table: Table) -> list[Any]:
    """Rows of `table` of person `p` in [`s`, `e`), parameters of an executemany."""
    return [table.c.person_id == bindparam("p"), table.c.start >= bindparam("s"),
            table.c.start < bindparam("e")]


def _insert_hours(session: Session, person: uuid.UUID,
                  ranges: list[list[str]]) -> tuple[int, int]:
    """Insert one person's hours; those already present are skipped. Returns (hours added,
    hours asked for).

    PostgreSQL expands the ranges itself (one statement); SQLite gets an executemany of one
    small statement, batched by SQLAlchemy's insertmanyvalues.
    """
    if _is_postgresql(session):
        return _counts(session.connection().exec_driver_sql(
            EXPAND_RANGES.format(source=ONE_PERSONS_RANGES),
            {"person": str(person), "starts": [start for start, _ in ranges],
             "ends": [end for _, end in ranges]}))
    role = session.scalar(select(Person.role).where(Person.id == person))
    if role is None:
        raise _not_found(person)
    decoded = _decode_ranges(ranges)
    rows = [{"person_id": person, "start": hour, "role": role}
            for r in decoded for hour in r.starts()]
    if not rows:
        return 0, 0
    table = cast(Table, AvailabilityHour.__table__)
    # As EXPAND_RANGES does: hours the weekly hours gave become added, exceptions are lifted.
    bounds = [{"p": person, "s": r.start, "e": r.end} for r in decoded]
    exceptions = cast(Table, AvailabilityException.__table__)
    connection = session.connection()
    connection.execute(update(table).where(*_within(table), ~table.c.added).values(added=True),
                       bounds)
    connection.execute(delete(exceptions).where(*_within(exceptions)), bounds)
    stmt = sqlite.insert(table).on_conflict_do_nothing().returning(table.c.start)
    return len(session.connection().execute(stmt, rows).all()), len(rows)


def add(session: Session, payload: dict[str, Any], _now: datetime) -> dict[str, Any]:
    """The insert finds the person itself; only when it added nothing is the person looked
    for, to tell a missing one (404) from hours already present."""
    person = uuid.UUID(payload["person"])
    added, hours = _insert_hours(session, person, _merged(payload["ranges"]))
    if not added:
        _require_people(session, {person})
    return {"added": added, "already_present": hours - added}


def import_(session: Session, payload: dict[str, Any], _now: datetime) -> dict[str, Any]:
    """All or nothing: every person must exist, and every hour lands in this one transaction."""
    encoded: dict[uuid.UUID, list[list[str]]] = defaultdict(list)
    for entry in payload["entries"]:
        encoded[uuid.UUID(entry["person"])].extend(entry["ranges"])
    _require_people(session, set(encoded))
    ranges = {person: _merged(e) for person, e in encoded.items()}
    if _is_postgresql(session):
        added, hours = _copy_ranges(session, ranges)
    else:
        counts = [_insert_hours(session, person, r) for person, r in ranges.items()]
        added, hours = sum(a for a, _ in counts), sum(h for _, h in counts)
    return {"people": len(ranges), "added": added, "already_present": hours - added}


def remove(session: Session, payload: dict[str, Any], _now: datetime) -> dict[str, Any]:
    """Remove hours; if any of them is booked, remove none (409)."""
    person = uuid.UUID(payload["person"])
    _require_people(session, {person})
    weekly_hours.lock(session, person)
    hours = [hour for r in _decode_ranges(payload["ranges"]) for hour in r.starts()]
    for chunk in chunks(hours):
        booked = session.scalars(
            select(InterviewParticipant.start)
            .where(InterviewParticipant.person_id == person, InterviewParticipant.start.in_(chunk))
            .order_by(InterviewParticipant.start).limit(1)
        ).first()
        if booked is not None:
            raise _booked(booked)
    removed = 0
    try:
        for chunk in chunks(hours):
            removed += session.execute(
                delete(AvailabilityHour).where(AvailabilityHour.person_id == person,
                                               AvailabilityHour.start.in_(chunk))
            ).rowcount  # type: ignore[attr-defined]
    except IntegrityError as exc:  # booked between the check and the delete
        raise Conflict("an hour to remove was booked meanwhile") from exc
    weekly_hours.remember_removed(session, person, sorted(hours))
    return {"removed": removed, "not_present": len(hours) - removed}


def _booked(hour: datetime) -> Conflict:
    return Conflict(f"the hour starting {z(hour)} is booked; cancel the interview first. "
                    "Nothing was removed.")


def read(session: Session, person: uuid.UUID, start: datetime,
         end: datetime) -> dict[str, list[Range]]:
    """A person's hours in [start, end), merged: `ranges` offered (booked included, busy
    excluded), `booked`, and `busy` (offered, not booked, and a calendar's event overlaps)."""
    def starts(column: Any, of: Any) -> set[datetime]:
        return set(session.scalars(select(column).where(of == person, column >= start,
                                                        column < end)))
    offered = starts(AvailabilityHour.start, AvailabilityHour.person_id)
    booked = starts(InterviewParticipant.start, InterviewParticipant.person_id)
    busy = offered & starts(BusyHour.start, BusyHour.person_id) - booked
    return {"ranges": merge(offered - busy), "booked": merge(booked), "busy": merge(busy)}


def import_payload(session: Session, entries: Iterable[tuple[str, list[Range]]],
                   ) -> dict[str, Any]:
    """The payload of an import job: each person's ranges merged; 404 for the first id that
    names nobody, before anything is queued."""
    merged: dict[uuid.UUID, list[Range]] = {}
    for raw, ranges in entries:
        ident = parse_id(raw)
        if ident is None:
            raise NotFound("person", raw)
        merged.setdefault(ident, []).extend(ranges)
    _require_people(session, set(merged))
    return {"entries": [{"person": str(person), "ranges": encode_ranges(merge_ranges(ranges))}
                        for person, ranges in merged.items()]}


def change_payload(person: uuid.UUID, ranges: Iterable[Range]) -> dict[str, Any]:
    """The payload of an add or remove job."""
    return {"person": str(person), "ranges": encode_ranges(ranges)}


RUNNERS = {"availability.add": add, "availability.remove": remove,
           "availability.import": import_}
