"""Matches: checked and sized before they are queued; the job loads free hours, solves with no
connection held, and books in one transaction."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Any

# OR-Tools passes arrays through numpy, which it imports at its first use (≈ 0.1 s): imported
# here, it loads with the worker, before the pool forks, instead of in each process's first match
import numpy  # noqa: F401
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import AvailabilityHour, Interview, InterviewParticipant, Person, read_only
from scheduling import match
from scheduling.hours import HOUR
from workers import caps, events, people, resources
from workers.callers import Caller
from workers.errors import CalendarChanged, Problem
from workers.free_hours import free_seconds

KIND = "match"


def payload(session: Session, caller: Caller, *, candidates: list[str] | None,
            interviewers: list[str] | None, start: datetime, end: datetime,
            max_panel_size: int | None, requirements: list[dict[str, Any]], book: bool,
            max_cells: int) -> dict[str, Any]:
    """The job's payload, once every listed person is found with the right role and the match
    is no larger than `max_cells` (422 before anything is queued)."""
    def ids(raw: list[str] | None, role: str) -> list[str] | None:
        if raw is None:
            return None
        return sorted({str(p) for p in people.of_roles(session, [(r, role, f"{role}s")
                                                                 for r in raw], caller)})

    chosen = ids(candidates, "candidate"), ids(interviewers, "interviewer")
    _check_size(session, *chosen, start, end, max_cells)
    return {"candidates": chosen[0], "interviewers": chosen[1], "from": start.isoformat(),
            "to": end.isoformat(), "max_panel_size": max_panel_size,
            "requirements": requirements, "book": book}


def _check_size(session: Session, candidates: list[str] | None, interviewers: list[str] | None,
                start: datetime, end: datetime, cap: int) -> None:
    """422 when candidates x interviewers x hours > cap (MATCH_MAX_CELLS).

    An omitted list means everyone of that role with an hour in the window: counted in SQL
    (booked hours included, so the count is an upper bound, and a cheap one).
    """
    hours = math.ceil((end - start) / timedelta(hours=1))
    n_candidates = len(candidates) if candidates is not None else _count(
        session, "candidate", start, end)
    n_interviewers = len(interviewers) if interviewers is not None else _count(
        session, "interviewer", start, end)
    cells = n_candidates * n_interviewers * hours
    if cells > cap:
        raise Problem(422, f"the match is too large: {n_candidates} candidates x "
                      f"{n_interviewers} interviewers x {hours} hours = {cells} cells, more than "
                      f"the {cap} allowed (MATCH_MAX_CELLS); split it into smaller matches",
                      errors=[{"field": "body", "message": f"{cells} cells > {cap}"}])


def _count(session: Session, role: str, start: datetime, end: datetime) -> int:
    """People of `role` with an hour in the window: one probe of the (person, start) key per
    person, not a pass over every hour of the window."""
    has_hour = select(AvailabilityHour.person_id).where(
        AvailabilityHour.person_id == Person.id, AvailabilityHour.start >= start,
        AvailabilityHour.start < end).exists()
    return session.scalar(select(func.count()).select_from(Person)
                          .where(Person.role == role, has_hour)) or 0


def _free(session: Session, ids: list[str] | None, role: str, start: datetime,
          end: datetime) -> dict[str, list[int]]:
    chosen = None if ids is None else [uuid.UUID(i) for i in ids]
    return free_seconds(session, role, chosen, start, end)


def load(session: Session, request: dict[str, Any],
         tz: tzinfo) -> tuple[list[match.Person], list[match.Person]]:
    """Everyone's free hours (caps aside), and of the interviewers, the tags the requirements
    ask about and the room their caps leave in each of their days and weeks."""
    start, end = datetime.fromisoformat(request["from"]), datetime.fromisoformat(request["to"])
    candidates = [match.Person(p, hours) for p, hours in
                  _free(session, request.get("candidates"), "candidate", start, end).items()]
    free = _free(session, request.get("interviewers"), "interviewer", start, end)
    asked = {tag for r in request.get("requirements") or [] for tag in r["tags"]}
    tags = people.tags_of(session, [uuid.UUID(p) for p in free]) if asked else {}
    rooms = caps.rooms(session, free, start, end, tz)
    interviewers = [match.Person(p, hours, frozenset(tags.get(uuid.UUID(p), ())) & asked,
                                 tuple(match.Limit(held, room) for held, room in rooms.get(p, ())))
                    for p, hours in free.items()]
    return candidates, interviewers


def _book(session: Session, result: match.Match, now: datetime, tz: tzinfo) -> list[str]:
    """Insert every interview, and its `interview.booked` event, at once; any conflict (an
    hour taken, or a cap filled, while the match was solved) rolls all of them back."""
    ids = [uuid.uuid4() for _ in result.interviews]
    if not ids:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(Interview), [
                {"id": ident, "candidate_id": uuid.UUID(i.candidate), "start": i.start,
                 "end": i.start + HOUR, "created_at": now}
                for ident, i in zip(ids, result.interviews, strict=True)])
            session.execute(insert(InterviewParticipant), [
                {"interview_id": ident, "person_id": uuid.UUID(person), "start": i.start}
                for ident, i in zip(ids, result.interviews, strict=True)
                for person in (i.candidate, *i.interviewers)])
    except IntegrityError as exc:
        raise CalendarChanged("the calendar changed while the match was solved") from exc
    seated: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for i in result.interviews:
        for person in i.interviewers:
            seated[uuid.UUID(person)].append(i.start)
    if full := caps.overfilled(session, seated, tz):
        raise CalendarChanged(f"caps filled while the match was solved: {', '.join(full)}")
    caps.refresh(session, list(seated), tz, now)
    events.record(session, "interview.booked", [
        resources.interview(Interview(id=ident, candidate_id=uuid.UUID(i.candidate),
                                      start=i.start, end=i.start + HOUR), list(i.interviewers))
        for ident, i in zip(ids, result.interviews, strict=True)], now=now)
    return [str(i) for i in ids]


def run(session: Session, request: dict[str, Any], now: datetime, tz: tzinfo) -> dict[str, Any]:
    """The job runner. Loading uses a short session of its own, so none is open while solving.
    `tz` is CALENDAR_TZ: the zone of interviewers without one, for their caps."""
    with Session(bind=read_only(session.get_bind().engine)) as reader:
        candidates, interviewers = load(reader, request, tz)
    requirements = [match.Requirement(frozenset(r["tags"]), r["count"])
                    for r in request.get("requirements") or []]
    result = match.solve(candidates, interviewers, request.get("max_panel_size"), requirements)
    booked = _book(session, result, now, tz) if request.get("book") else []
    z = cache(resources.z)  # thousands of interviews share a few hundred hours
    interviews = [{"candidate": i.candidate, "start": z(i.start), "end": z(i.end),
                   "interviewers": list(i.interviewers)} for i in result.interviews]
    for interview, ident in zip(interviews, booked, strict=False):
        interview["id"] = ident
    return {
        "interviews": interviews,
        "unscheduled": [{"candidate": u.candidate, "reason": u.reason}
                        for u in result.unscheduled],
        "stats": asdict(result.stats),
    }
