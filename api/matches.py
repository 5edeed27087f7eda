"""POST /v1/matches: schedule many candidates at once (a job)."""

from __future__ import annotations

from flask import Blueprint, Response

from api import schemas
from api.answers import accepted, waits
from api.auth import caller, roles
from api.db import db, runtime
from api.endpoint import endpoint
from api.match_schemas import MatchIn
from api.writes import write
from workers import matches, outbox

bp = Blueprint("matches", __name__)


@bp.post("/matches")
@roles("admin")
@waits
@write
@endpoint("Schedule candidates against an interviewer pool (a job)", tag="matches",
          body=MatchIn, responses={202: schemas.JobAccepted, 200: schemas.JobAccepted})
def create_match(body: MatchIn) -> Response:
    rt = runtime()
    payload = matches.payload(
        db(), caller(), candidates=body.candidates, interviewers=body.interviewers,
        start=body.from_, end=body.to, max_panel_size=body.max_panel_size,
        requirements=[{"tags": sorted(set(r.tags)), "count": r.count} for r in body.requirements],
        book=body.book,
        max_cells=rt.settings.match_max_cells)
    return accepted(outbox.submit(db(), matches.KIND, payload, now=rt.clock.now(),
                                  submitted_by=caller().key_id, callback_url=body.callback_url))
