"""Job runners for availability: add, remove and bulk import, each in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import AvailabilityHour, InterviewParticipant, Person
from scheduling.hours import Range
from workers.errors import JobFailed

CHUNK = 5000  # ids per IN (...) list: below SQLite's 32,766 bound variables


def encode_ranges(ranges: Iterable[Range]) -> list[list[str]]:
    """Ranges as they are stored in a job's payload."""
    return [[r.start.isoformat(), r.end.isoformat()] for r in ranges]


def decode_hours(encoded: Iterable[Sequence[str]]) -> set[datetime]:
    return {
        hour
        for start, end in encoded
        for hour in Range(datetime.fromisoformat(start), datetime.fromisoformat(end)).starts()
    }


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def missing_people(session: Session, ids: set[uuid.UUID]) -> list[uuid.UUID]:
    """The ids among `ids` that name no person, sorted."""
    found: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        found.update(session.scalars(select(Person.id).where(Person.id.in_(chunk))))
    return sorted(ids - found)


def _require_people(session: Session, ids: set[uuid.UUID]) -> None:
    missing = missing_people(session, ids)
    if missing:
        raise JobFailed(404, "Not found", f"person {missing[0]} does not exist")


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert hours; those already present are skipped. Returns how many were new.

    An executemany of one small statement (batched by SQLAlchemy's insertmanyvalues) rather
    than one huge multi-VALUES statement, whose compilation dominates at 100k rows.
    """
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = AvailabilityHour.__table__
    stmt = dialect.insert(table).on_conflict_do_nothing().returning(table.c.start)
    return len(session.connection().execute(stmt, rows).all())


def add(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    person = uuid.UUID(payload["person"])
    _require_people(session, {person})
    hours = decode_hours(payload["ranges"])
    added = _insert_ignoring_duplicates(session, [{"person_id": person, "start": h} for h in hours])
    return {"added": added, "already_present": len(hours) - added}


def import_(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """All or nothing: every person must exist, and every hour lands in this one transaction."""
    entries = [(uuid.UUID(e["person"]), decode_hours(e["ranges"])) for e in payload["entries"]]
    _require_people(session, {person for person, _ in entries})
    rows = {(person, hour) for person, hours in entries for hour in hours}
    added = _insert_ignoring_duplicates(session, [{"person_id": p, "start": h} for p, h in rows])
    return {"people": len({p for p, _ in entries}), "added": added,
            "already_present": len(rows) - added}


def remove(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """Remove hours; if any of them is booked, remove none (409)."""
    person = uuid.UUID(payload["person"])
    _require_people(session, {person})
    hours = sorted(decode_hours(payload["ranges"]))
    for chunk in _chunks(hours):
        booked = session.scalars(
            select(InterviewParticipant.start)
            .where(InterviewParticipant.person_id == person, InterviewParticipant.start.in_(chunk))
            .order_by(InterviewParticipant.start).limit(1)
        ).first()
        if booked is not None:
            raise _booked(booked)
    removed = 0
    try:
        for chunk in _chunks(hours):
            removed += session.execute(
                delete(AvailabilityHour).where(AvailabilityHour.person_id == person,
                                               AvailabilityHour.start.in_(chunk))
            ).rowcount  # type: ignore[attr-defined]
    except IntegrityError as exc:  # booked between the check and the delete
        raise JobFailed(409, "Conflict", "an hour to remove was booked meanwhile") from exc
    return {"removed": removed, "not_present": len(hours) - removed}


def _booked(hour: datetime) -> JobFailed:
    return JobFailed(409, "Conflict",
                     f"the hour starting {hour.isoformat().replace('+00:00', 'Z')} is booked; "
                     "cancel the interview first. Nothing was removed.")


RUNNERS = {"availability.add": add, "availability.remove": remove,
           "availability.import": import_}
