"""When interviews can take place: the slot search over the calendar, a batch of hours at a time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from scheduling.hours import HOUR
from scheduling.slots import Slot, slot_at
from workers import people
from workers.callers import Caller
from workers.errors import Forbidden, Invalid
from workers.free_hours import free_by_hour, hours_all_free, roles_and_hours_all_free
from workers.lookup import parse_id


def search(session: Session, caller: Caller, candidate: str | None, interviewers: list[str],
           start: datetime, end: datetime, limit: int) -> list[Slot]:
    """Up to `limit` slots in [start, end) for the people as sent. A candidate's key asks for
    itself only; the people must exist with the right roles (404, 422)."""
    if caller.role == "candidate":
        if candidate is not None and parse_id(candidate) != caller.person_id:
            raise Forbidden("a candidate sees only its own slots")
        candidate = str(caller.person_id)
    if candidate is None and not interviewers:
        raise Invalid("candidate", "give a candidate, one or more interviewers, or both")
    wanted = [(raw, "interviewer", "interviewer") for raw in interviewers]
    if candidate:
        wanted.insert(0, (candidate, "candidate", "candidate"))
    ids = people.parsed(wanted)
    the_candidate = ids[candidate] if candidate else None
    named = sorted({ident for raw in interviewers if (ident := ids[raw])})
    # The people's roles come with the first batch of hours, in one round trip; an id that
    # names nobody makes `checked` answer 404 before those hours are used.
    found, first = roles_and_hours_all_free(session, _anchors(the_candidate, named), start, end,
                                            _batch(limit))
    people.checked(wanted, ids, found, caller)
    return find(session, the_candidate, named, start, end, limit, first)


def find(session: Session, candidate: uuid.UUID | None, named: list[uuid.UUID],
         start: datetime, end: datetime, limit: int,
         first: list[datetime] | None = None) -> list[Slot]:
    """Up to `limit` slots from `start`: hours where the named people are all free, then the
    slot rule on who else is free then, a batch of hours at a time (the first batch may come
    with the request's people: `first`)."""
    anchors = _anchors(candidate, named)
    batch = _batch(limit)
    found: list[Slot] = []
    while len(found) < limit and start < end:
        hours = first if first is not None else hours_all_free(session, anchors, start, end,
                                                               limit=batch)
        first = None
        if not hours:
            break
        others = free_by_hour(session, "interviewer" if candidate else "candidate",
                              hours) if not (candidate and named) else {}
        for hour in hours:
            slot = slot_at(
                hour, candidate=str(candidate) if candidate else None,
                named=[str(i) for i in named],
                free_candidates=[str(candidate)] if candidate else others.get(hour, []),
                free_interviewers=[str(i) for i in named] if named else others.get(hour, []))
            if slot is not None:
                found.append(slot)
        if len(hours) < batch:  # the window has no more: do not ask again
            break
        start = hours[-1] + HOUR
    return found[:limit]


def _anchors(candidate: uuid.UUID | None, named: list[uuid.UUID]) -> list[uuid.UUID]:
    """Who must all be free at a slot's hour."""
    return [*([candidate] if candidate else []), *named]


def _batch(limit: int) -> int:
    """Hours asked for at a time: hours can fail the slot rule, so a small page still asks for
    a few dozen rather than one query per hour."""
    return max(limit, 64)
