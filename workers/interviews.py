"""Booking and cancelling interviews, and who may see which.

The database guarantees what must never happen: a participant row needs the hour in the
person's availability (foreign key) and is unique per person and hour, so a booking that lost a
race fails with IntegrityError and never double-books. The checks here come first, for a clear
message.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Interview, InterviewParticipant
from scheduling.hours import HOUR, is_on_the_hour, next_full_hour
from workers import caps, events, people, resources, weekly_hours
from workers.callers import Caller
from workers.errors import Conflict, Forbidden, Invalid
from workers.free_hours import who_is_not_free
from workers.lookup import get_or_404


class NotFree(Conflict):
    """Someone is not free at the hour; the message says who."""

    def __init__(self, start: datetime, who: Sequence[str]) -> None:
        super().__init__(f"not free at {start.isoformat()}: {', '.join(who)}")


class CapReached(Conflict):
    """The hour would take interviewers past a load cap; the message says whose and which."""

    def __init__(self, start: datetime, who: Sequence[str]) -> None:
        super().__init__(f"a load cap is reached at {start.isoformat()}: {', '.join(who)}")


def book(session: Session, candidate: uuid.UUID, interviewers: Sequence[uuid.UUID],
         start: datetime, now: datetime, tz: tzinfo, *, title: str | None = None,
         override_caps: bool = False) -> Interview:
    """Book one interview (and its `interview.booked` event) in the session's transaction, or
    raise NotFree (nothing written). An interviewer it would take past a load cap is not free
    for it, unless the caps are overridden."""
    everyone = [candidate, *interviewers]
    if taken := who_is_not_free(session, everyone, start):  # busy in a calendar, among others
        raise NotFree(start, taken)
    if not override_caps and (full := caps.passed(session, interviewers, start, tz)):
        raise CapReached(start, full)
    interview = Interview(id=uuid.uuid4(), candidate_id=candidate, start=start,
                          end=start + HOUR, created_at=now, title=title)
    try:
        with session.begin_nested():
            session.add(interview)
            session.flush()
            session.add_all(InterviewParticipant(interview_id=interview.id, person_id=p,
                                                 start=start) for p in everyone)
            session.flush()
    except IntegrityError:
        busy = who_is_not_free(session, everyone, start) or [str(p) for p in everyone]
        raise NotFree(start, busy) from None
    caps.refresh(session, interviewers, tz, now)
    events.record(session, "interview.booked",
                  [resources.interview(interview, [str(p) for p in interviewers])], now=now)
    return interview


def require_bookable(start: datetime, now: datetime, tz: tzinfo) -> None:
    """422 unless `start` is on the hour and not past."""
    if not is_on_the_hour(start, tz):
        raise Invalid("start", "is not on the hour")
    if start < next_full_hour(now, tz):
        raise Invalid("start", "is in the past (the earliest is the next full hour)")


def panel_wanted(interviewers: list[str]) -> list[people.Wanted]:
    """The requested panel, for people.of_roles: interviewers, each named by its place."""
    return [(raw, "interviewer", f"interviewers[{n}]") for n, raw in enumerate(interviewers)]


def require_distinct(panel: Sequence[uuid.UUID]) -> None:
    """422 for a panel that lists someone twice."""
    if len(set(panel)) != len(panel):
        raise Invalid("interviewers", "lists someone twice")


def book_requested(session: Session, caller: Caller, candidate: str, interviewers: list[str],
                   start: datetime, *, now: datetime, tz: tzinfo,
                   title: str | None = None, override_caps: bool = False) -> Interview:
    """Book what a coordinator asked for: an hour on the hour, not past, people of the right
    roles, nobody twice."""
    require_bookable(start, now, tz)
    found, *panel = people.of_roles(
        session, [(candidate, "candidate", "candidate"), *panel_wanted(interviewers)], caller)
    require_distinct(panel)
    return book(session, found, panel, start, now, tz, title=title,
                override_caps=override_caps)


def cancel(session: Session, interview: Interview, now: datetime, tz: tzinfo) -> None:
    """Cancel an interview in the session's transaction: its hours become free again, and
    a cap it filled is open again."""
    events.record(session, "interview.cancelled", resources.interviews(session, [interview]),
                  now=now)
    hours = list(session.execute(
        select(InterviewParticipant.person_id, InterviewParticipant.start)
        .where(InterviewParticipant.interview_id == interview.id)).all())
    session.execute(delete(Interview).where(Interview.id == interview.id))
    weekly_hours.drop_unoffered(session, hours)
    caps.refresh(session, [person for person, _ in hours], tz, now)


def of_person(person: uuid.UUID | None) -> Select[uuid.UUID]:
    """The ids of the interviews `person` sits in."""
    return select(InterviewParticipant.interview_id).where(
        InterviewParticipant.person_id == person)


def visible(session: Session, raw_id: str, caller: Caller, **options: Any) -> Interview:
    """The interview, if the caller is an admin or sits in it (404 otherwise); `options` as
    Session.get takes them (a lock)."""
    def sits_in(interview: Interview) -> bool:
        return caller.is_admin or session.scalar(of_person(caller.person_id).where(
            InterviewParticipant.interview_id == interview.id)) is not None

    return get_or_404(session, Interview, raw_id, "interview", visible=sits_in, **options)


def listing(caller: Caller, person: uuid.UUID | None, start: datetime | None,
            end: datetime | None) -> Select[Interview]:
    """Interviews in [start, end): of `person` (already checked visible), else the caller's
    own (all of them, for an admin)."""
    stmt = select(Interview)
    if person is not None:
        if not caller.may_act_for(person):
            raise Forbidden("you may list only your own interviews")
        stmt = stmt.where(Interview.id.in_(of_person(person)))
    elif not caller.is_admin:
        stmt = stmt.where(Interview.id.in_(of_person(caller.person_id)))
    if start is not None:
        stmt = stmt.where(Interview.start >= start)
    if end is not None:
        stmt = stmt.where(Interview.start < end)
    return stmt
