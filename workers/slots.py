"""When interviews can take place: the slot search over the calendar, a batch of hours at a time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from scheduling.hours import HOUR
from scheduling.slots import Slot, slot_at
from workers import people
from workers.callers import Caller
from workers.errors import Forbidden, Invalid
from workers.free_hours import (
    free_by_hour,
    hours_all_free,
    roles_and_hours_all_free,
    someone_free,
)
from workers.lookup import parse_id

FIRST_READ = 16  # hours in the first read of who else is free
IDS_PER_READ = 50_000  # some 2 MB of ids as JSON: more than a page holds


@dataclass(frozen=True)
class Search:
    """A slot request whose people were found with the right roles, and the first batch of
    the hours where they are all free; its answer is read as it is taken."""

    session: Session
    candidate: uuid.UUID | None
    named: list[uuid.UUID]
    start: datetime
    end: datetime
    batch: int
    first: list[datetime]

    @property
    def others(self) -> str | None:
        """The role of whoever else must be free at a slot's hour, if anyone."""
        if self.candidate and self.named:
            return None
        return "interviewer" if self.candidate else "candidate"

    def slots(self) -> Iterator[Slot]:
        """The slots, in order, with who is free and the panels proposed."""
        candidate, named = self.candidate, [str(i) for i in self.named]
        for hours in self._batches():
            others = (_others(self.session, self.others, hours) if self.others
                      else ((hour, []) for hour in hours))
            for hour, free in others:
                slot = slot_at(hour, candidate=str(candidate) if candidate else None,
                               named=named,
                               free_candidates=[str(candidate)] if candidate else free,
                               free_interviewers=named or free)
                if slot is not None:
                    yield slot

    def hours(self) -> Iterator[datetime]:
        """The slots' hours only: whether someone else is free then is asked, not who."""
        for hours in self._batches():
            yield from (someone_free(self.session, _anchors(self.candidate, self.named)[0],
                                     self.others, hours) if self.others else hours)

    def _batches(self) -> Iterator[list[datetime]]:
        """The hours where the named people are all free, a batch at a time."""
        hours = self.first
        while hours:
            yield hours
            start = hours[-1] + HOUR
            if len(hours) < self.batch or start >= self.end:  # the window has no more
                return
            hours = hours_all_free(self.session, _anchors(self.candidate, self.named), start,
                                   self.end, limit=self.batch)


def asked_candidate(caller: Caller, candidate: str | None) -> str | None:
    """The candidate a slot question is about: a candidate's key asks for itself only (403 for
    another), and is the candidate when it names none."""
    if caller.role != "candidate":
        return candidate
    if candidate is not None and parse_id(candidate) != caller.person_id:
        raise Forbidden("a candidate sees only its own slots")
    return str(caller.person_id)


def search(session: Session, caller: Caller, candidate: str | None, interviewers: list[str],
           start: datetime, end: datetime, limit: int) -> Search:
    """The slot request in [start, end) for the people as sent (a page needs about `limit`
    slots). A candidate's key asks for itself only (`asked_candidate`); the people must exist
    with the right roles (404, 422)."""
    candidate = asked_candidate(caller, candidate)
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
    return Search(session, the_candidate, named, start, end, _batch(limit), first)


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
