"""POST /v1/matches: schedule many candidates at once (a job)."""

from __future__ import annotations

from flask import Blueprint, Response

from api import schemas
from api.auth import principal, roles
from api.db import db
from api.jobs import accepted
from api.operations import operation
from api.slots import person_of_role
from api.writes import write
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
        return sorted({str(person_of_role(session, r, role, f"{role}s")) for r in raw})

    payload = {
        "candidates": ids(body.candidates, "candidate"),
        "interviewers": ids(body.interviewers, "interviewer"),
        "from": body.from_.isoformat(), "to": body.to.isoformat(),
        "max_panel_size": body.max_panel_size, "book": body.book,
    }
    job = dispatch.submit(session, "match", payload, submitted_by=principal().key_id,
                          callback_url=body.callback_url)
    return accepted(job)
