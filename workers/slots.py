"""When interviews can take place: the slot search over the calendar, a batch of hours at a time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from scheduling.hours import HOUR
from scheduling.slots import Slot, slot_at
from workers import people
from workers.callers import Caller
from workers.errors import Forbidden, Invalid
from workers.free_hours import free_by_hour, hours_all_free, roles_and_hours_all_free
from workers.lookup import parse_id

FIRST_READ = 16  # hours in the first read of who else is free
IDS_PER_READ = 50_000  # some 2 MB of ids as JSON: more than a page holds


def search(session: Session, caller: Caller, candidate: str | None, interviewers: list[str],
           start: datetime, end: datetime, limit: int) -> Iterator[Slot]:
    """The slots in [start, end) for the people as sent, read as they are taken (a page needs
    about `limit`). A candidate's key asks for itself only; the people must exist with the
    right roles (404, 422), which is checked before this returns."""
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
         first: list[datetime] | None = None) -> Iterator[Slot]:
    """The slots from `start`, in order: hours where the named people are all free, then the
    slot rule on who else is free then, a batch of hours at a time (the first batch may come
    with the request's people: `first`). Nothing is read before the caller takes a slot."""
    anchors = _anchors(candidate, named)
    batch = _batch(limit)
    while start < end:
        hours = first if first is not None else hours_all_free(session, anchors, start, end,
                                                               limit=batch)
        first = None
        if not hours:
            return
        others = (_others(session, "interviewer" if candidate else "candidate", hours)
                  if not (candidate and named) else ((hour, []) for hour in hours))
        for hour, free in others:
            slot = slot_at(
                hour, candidate=str(candidate) if candidate else None,
                named=[str(i) for i in named],
                free_candidates=[str(candidate)] if candidate else free,
                free_interviewers=[str(i) for i in named] if named else free)
            if slot is not None:
                yield slot
        if len(hours) < batch:  # the window has no more: do not ask again
            return
        start = hours[-1] + HOUR


def _others(session: Session, role: str,
            hours: list[datetime]) -> Iterator[tuple[datetime, list[str]]]:
    """Everyone of `role` free at each of `hours`, in order, a few hours per query: about
    IDS_PER_READ ids each once the first shows how many are free in an hour, so that a page cut
    short by its size has not read (nor made the database gather) the whole batch first."""
    step = FIRST_READ
    while hours:
        some, hours = hours[:step], hours[step:]
        found = free_by_hour(session, role, some)
        yield from ((hour, found.get(hour, [])) for hour in some)
        step = max(1, IDS_PER_READ * len(some) // max(1, sum(map(len, found.values()))))


def _anchors(candidate: uuid.UUID | None, named: list[uuid.UUID]) -> list[uuid.UUID]:
    """Who must all be free at a slot's hour."""
    return [*([candidate] if candidate else []), *named]


def _batch(limit: int) -> int:
    """Hours asked for at a time: hours can fail the slot rule, so a small page still asks for
    a few dozen rather than one query per hour."""
    return max(limit, 64)
