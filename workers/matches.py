"""The match job: load free hours, solve with no connection held, book in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

# OR-Tools passes arrays through numpy, which it imports at its first use (≈ 0.1 s): imported
# here, it loads with the worker, before the pool forks, instead of in each process's first match
import numpy  # noqa: F401
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Interview, InterviewParticipant, read_only
from scheduling import match
from scheduling.hours import HOUR
from workers import events, resources
from workers.calendar import free_seconds
from workers.errors import CalendarChanged


def _people(session: Session, ids: list[str] | None, role: str, start: datetime,
            end: datetime) -> list[match.Person]:
    chosen = None if ids is None else [uuid.UUID(i) for i in ids]
    return [match.Person(p, hours)
            for p, hours in free_seconds(session, role, chosen, start, end).items()]


def load(session: Session,
         payload: dict[str, Any]) -> tuple[list[match.Person], list[match.Person]]:
    start, end = datetime.fromisoformat(payload["from"]), datetime.fromisoformat(payload["to"])
    return (_people(session, payload.get("candidates"), "candidate", start, end),
            _people(session, payload.get("interviewers"), "interviewer", start, end))


def _book(session: Session, result: match.Match) -> list[str]:
    """Insert every interview, and its `interview.booked` event, at once; any conflict rolls
    all of them back."""
    ids = [uuid.uuid4() for _ in result.interviews]
    if not ids:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(Interview), [
                {"id": ident, "candidate_id": uuid.UUID(i.candidate), "start": i.start,
                 "end": i.start + HOUR}
                for ident, i in zip(ids, result.interviews, strict=True)])
            session.execute(insert(InterviewParticipant), [
                {"interview_id": ident, "person_id": uuid.UUID(person), "start": i.start}
                for ident, i in zip(ids, result.interviews, strict=True)
                for person in (i.candidate, *i.interviewers)])
    except IntegrityError as exc:
        raise CalendarChanged("the calendar changed while the match was solved") from exc
    events.record(session, "interview.booked", [
        resources.interview(Interview(id=ident, candidate_id=uuid.UUID(i.candidate),
                                      start=i.start, end=i.start + HOUR), list(i.interviewers))
        for ident, i in zip(ids, result.interviews, strict=True)])
    return [str(i) for i in ids]


def run(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The job runner. Loading uses a short session of its own, so none is open while solving."""
    with Session(bind=read_only(session.get_bind().engine)) as reader:
        candidates, interviewers = load(reader, payload)
    result = match.solve(candidates, interviewers, payload.get("max_panel_size"))
    booked = _book(session, result) if payload.get("book") else []
    z = cache(resources.z)  # thousands of interviews share a few hundred hours
    interviews = [{"candidate": i.candidate, "start": z(i.start), "end": z(i.end),
                   "interviewers": list(i.interviewers)} for i in result.interviews]
    for interview, ident in zip(interviews, booked, strict=False):
        interview["id"] = ident
    return {
        "interviews": interviews,
        "unscheduled": [{"candidate": u.candidate, "reason": u.reason}
                        for u in result.unscheduled],
        "stats": vars(result.stats),
    }

RUNNERS = {"match": run}
