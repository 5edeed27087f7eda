"""Reading free hours and booking interviews: the calendar's queries, shared by API and jobs.

"Free" is available and not booked. The database guarantees what must never happen: a
participant row needs the hour in the person's availability (foreign key) and is unique per
person and hour, so a booking that lost a race fails with IntegrityError, never double-books.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import AvailabilityHour, Interview, InterviewParticipant, Person
from scheduling.hours import HOUR
from workers import events, resources

CHUNK = 5000


class NotFree(Exception):
    """Someone is not free at the hour; the message says who."""


def _free(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    hour = AvailabilityHour
    return [hour.start >= start, hour.start < end, ~exists().where(
        InterviewParticipant.person_id == hour.person_id, InterviewParticipant.start == hour.start)]


def free_hours(session: Session, people: Iterable[uuid.UUID], start: datetime,
               end: datetime) -> dict[uuid.UUID, set[datetime]]:
    """Each person's free hours in [start, end)."""
    out: dict[uuid.UUID, set[datetime]] = {}
    ids = list(people)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        out.update((p, set()) for p in chunk)
        rows = session.execute(select(AvailabilityHour.person_id, AvailabilityHour.start)
                               .where(AvailabilityHour.person_id.in_(chunk), *_free(start, end)))
        for person, hour in rows:
            out[person].add(hour)
    return out


def people_free_in(session: Session, role: str, start: datetime, end: datetime) -> list[uuid.UUID]:
    """Everyone of `role` with at least one free hour in the window."""
    return list(session.scalars(
        select(AvailabilityHour.person_id).distinct()
        .join(Person, Person.id == AvailabilityHour.person_id)
        .where(Person.role == role, *_free(start, end))))


def hours_all_free(session: Session, people: Sequence[uuid.UUID], start: datetime,
                   end: datetime, limit: int) -> list[datetime]:
    """The first `limit` hours in the window at which every one of `people` is free."""
    return list(session.scalars(
        select(AvailabilityHour.start)
        .where(AvailabilityHour.person_id.in_(people), *_free(start, end))
        .group_by(AvailabilityHour.start)
        .having(func.count() == len(people))
        .order_by(AvailabilityHour.start).limit(limit)))


def free_by_hour(session: Session, role: str,
                 hours: Sequence[datetime]) -> dict[datetime, list[str]]:
    """Everyone of `role` free at each of `hours` (ids as strings, sorted)."""
    out: dict[datetime, list[str]] = defaultdict(list)
    if not hours:
        return out
    rows = session.execute(
        select(AvailabilityHour.start, AvailabilityHour.person_id)
        .join(Person, Person.id == AvailabilityHour.person_id)
        .where(Person.role == role, AvailabilityHour.start.in_(hours),
               *_free(min(hours), max(hours) + HOUR))
        .order_by(AvailabilityHour.start, AvailabilityHour.person_id))
    for hour, person in rows:
        out[hour].append(str(person))
    return out


def who_is_not_free(session: Session, people: Sequence[uuid.UUID], hour: datetime) -> list[str]:
    free = set(session.scalars(select(AvailabilityHour.person_id).where(
        AvailabilityHour.person_id.in_(people), *_free(hour, hour + HOUR))))
    return [str(p) for p in people if p not in free]


def book(session: Session, candidate: uuid.UUID, interviewers: Sequence[uuid.UUID],
         start: datetime, job_id: uuid.UUID | None = None) -> Interview:
    """Book one interview (and its `interview.booked` event) in the session's transaction, or
    raise NotFree (nothing written)."""
    everyone = [candidate, *interviewers]
    interview = Interview(id=uuid.uuid4(), candidate_id=candidate, start=start,
                          end=start + HOUR, job_id=job_id)
    try:
        with session.begin_nested():
            session.add(interview)
            session.flush()
            session.add_all(InterviewParticipant(interview_id=interview.id, person_id=p,
                                                 start=start) for p in everyone)
            session.flush()
    except IntegrityError:
        busy = who_is_not_free(session, everyone, start) or [str(p) for p in everyone]
        raise NotFree(f"not free at {start.isoformat()}: {', '.join(busy)}") from None
    events.record(session, "interview.booked",
                  [resources.interview(interview, [str(p) for p in interviewers])])
    return interview


def cancel(session: Session, interview: Interview) -> None:
    """Cancel an interview in the session's transaction: its hours become free again."""
    events.record(session, "interview.cancelled", resources.interviews(session, [interview]))
    session.execute(delete(Interview).where(Interview.id == interview.id))

