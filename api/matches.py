"""POST /v1/matches: schedule many candidates at once (a job)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import Blueprint, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import schemas
from api.auth import principal, roles
from api.db import db, runtime
from api.errors import ApiError
from api.jobs import accepted
from api.operations import operation
from api.slots import people_of_roles
from api.writes import write
from models import AvailabilityHour, Person
from workers import dispatch

bp = Blueprint("matches", __name__)


@bp.post("/matches")
@roles("admin")
@write
@operation("Schedule candidates against an interviewer pool (a job)", tag="matches",
           body=schemas.MatchIn, responses={202: schemas.JobAccepted, 200: schemas.JobAccepted})
def create_match(body: schemas.MatchIn) -> Response:
    session = db()

    def ids(raw: list[str] | None, role: str) -> list[str] | None:
        if raw is None:
            return None
        return sorted({str(p) for p in people_of_roles(session, [(r, role, f"{role}s")
                                                                   for r in raw])})

    candidates = ids(body.candidates, "candidate")
    interviewers = ids(body.interviewers, "interviewer")
    _check_size(session, candidates, interviewers, body.from_, body.to)
    payload = {
        "candidates": candidates, "interviewers": interviewers,
        "from": body.from_.isoformat(), "to": body.to.isoformat(),
        "max_panel_size": body.max_panel_size, "book": body.book,
    }
    job = dispatch.submit(session, "match", payload, submitted_by=principal().key_id,
                          callback_url=body.callback_url)
    return accepted(job)


def _check_size(session: Session, candidates: list[str] | None, interviewers: list[str] | None,
                start: datetime, end: datetime) -> None:
    """422 before anything is queued when candidates x interviewers x hours > MATCH_MAX_CELLS.

    An omitted list means everyone of that role with an hour in the window: counted in SQL
    (booked hours included, so the count is an upper bound, and a cheap one).
    """
    hours = math.ceil((end - start) / timedelta(hours=1))
    n_candidates = len(candidates) if candidates is not None else _count(
        session, "candidate", start, end)
    n_interviewers = len(interviewers) if interviewers is not None else _count(
        session, "interviewer", start, end)
    cells = n_candidates * n_interviewers * hours
    cap = runtime().settings.match_max_cells
    if cells > cap:
        raise ApiError(422, f"the match is too large: {n_candidates} candidates x "
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
