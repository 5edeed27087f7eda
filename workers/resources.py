"""The JSON of jobs and interviews, one function each, for the API and for webhook events alike."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Interview, InterviewParticipant, Job


@overload
def z(when: datetime) -> str: ...
@overload
def z(when: None) -> None: ...
def z(when: datetime | None) -> str | None:
    """UTC as ISO 8601 with Z, as every response gives it."""
    return None if when is None else when.isoformat().replace("+00:00", "Z")


def job(row: Job) -> dict[str, Any]:
    """`{id, kind, status, submitted_at, started_at, finished_at, result, error}`."""
    return {"id": str(row.id), "kind": row.kind, "status": row.status,
            "submitted_at": z(row.submitted_at), "started_at": z(row.started_at),
            "finished_at": z(row.finished_at), "result": row.result, "error": row.error}


def panels(session: Session, interviews: Sequence[Interview]) -> dict[uuid.UUID, list[str]]:
    """Each interview's interviewers (its participants other than the candidate), sorted."""
    out: dict[uuid.UUID, list[str]] = {i.id: [] for i in interviews}
    by_id = {i.id: i for i in interviews}
    rows = session.execute(select(InterviewParticipant.interview_id, InterviewParticipant.person_id)
                           .where(InterviewParticipant.interview_id.in_(list(out))))
    for interview_id, person in rows:
        if person != by_id[interview_id].candidate_id:
            out[interview_id].append(str(person))
    return {ident: sorted(people) for ident, people in out.items()}


def interview(row: Interview, interviewers: list[str]) -> dict[str, Any]:
    """`{id, candidate, interviewers, start, end, title}`."""
    return {"id": str(row.id), "candidate": str(row.candidate_id),
            "interviewers": sorted(interviewers), "start": z(row.start), "end": z(row.end),
            "title": row.title}


def interviews(session: Session, rows: Sequence[Interview]) -> list[dict[str, Any]]:
    found = panels(session, rows)
    return [interview(row, found[row.id]) for row in rows]
