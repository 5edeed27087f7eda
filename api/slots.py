"""GET /v1/slots: the hours where interviews can take place (synchronous)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api import schemas
from api.auth import principal
from api.db import db
from api.errors import ApiError, invalid, not_found
from api.operations import operation, validation_context
from api.pagination import decode_instant, encode_instant
from models import Person
from scheduling.hours import HOUR
from scheduling.slots import Slot, slot_at
from workers.calendar import free_by_hour, hours_all_free
from workers.resources import z

bp = Blueprint("slots", __name__)
# Built once, as it runs on every slot request (so is workers.calendar's slot query).
ROLES = select(Person.id, Person.role).where(Person.id.in_(bindparam("ids", expanding=True)))


def person_of_role(session: Session, raw: str, role: str, field: str) -> uuid.UUID:
    """The id of an existing person of `role`: 404 when unknown (or another candidate, to a
    candidate), 422 when of the other role."""
    return people_of_roles(session, [(raw, role, field)])[0]


def people_of_roles(session: Session, wanted: list[tuple[str, str, str]]) -> list[uuid.UUID]:
    """`person_of_role` for each (raw id, role, field), with one query for all of them."""
    ids = {raw: schemas.parse_id(raw) for raw, _, _ in wanted}
    known = [i for i in set(ids.values()) if i]
    found = {ident: role for ident, role in session.connection().execute(
        ROLES, {"ids": known})} if known else {}
    me = principal()
    out = []
    for raw, role, field in wanted:
        ident = ids[raw]
        actual = found.get(ident) if ident else None
        if actual is None or (me.role == "candidate" and actual == "candidate"
                              and ident != me.person_id):
            raise not_found("person", raw)
        if actual != role:
            raise invalid(field, f"person {raw} is not a {role}")
        out.append(ident)
    return out


def render(slot: Slot) -> dict[str, Any]:
    """The `schemas.Slot` shape, built directly: slots can list tens of thousands of ids."""
    return {"start": z(slot.start), "end": z(slot.end), "candidates": list(slot.candidates),
            "interviewers": list(slot.interviewers),
            "panels": [{"candidate": c, "interviewers": list(i)} for c, i in slot.panels]}


def find(session: Session, candidate: uuid.UUID | None, named: list[uuid.UUID],
         start: datetime, end: datetime, limit: int) -> list[Slot]:
    """Up to `limit` slots from `start`: hours where the named people are all free, then the
    slot rule on who else is free then, a batch of hours at a time."""
    anchors = [*([candidate] if candidate else []), *named]
    batch = max(limit, 64)
    found: list[Slot] = []
    while len(found) < limit and start < end:
        hours = hours_all_free(session, anchors, start, end, limit=batch)
        if not hours:
            break
        others = free_by_hour(session, "interviewer" if candidate else "candidate",
                              hours) if not (candidate and named) else {}
        for hour in hours:
            slot = slot_at(
                hour, candidate=str(candidate) if candidate else None,
                named=[str(i) for i in named],
                free_candidates=[str(candidate)] if candidate else others.get(hour, []),
                free_interviewers=[str(i) for i in named] if named else others.get(hour, []))
            if slot is not None:
                found.append(slot)
        if len(hours) < batch:  # the window has no more: do not ask again
            break
        start = hours[-1] + HOUR
    return found[:limit]


@bp.get("/slots")
@operation("When interviews can take place (hours where the named people are free)",
           tag="slots", query=schemas.SlotsQuery, multi=("interviewer",),
           responses={200: schemas.Slots})
def list_slots(query: schemas.SlotsQuery) -> Response:
    session, me = db(), principal()
    candidate_raw = query.candidate
    if me.role == "candidate":
        if candidate_raw is not None and schemas.parse_id(candidate_raw) != me.person_id:
            raise ApiError(403, "a candidate sees only its own slots")
        candidate_raw = str(me.person_id)
    if candidate_raw is None and not query.interviewer:
        raise invalid("candidate", "give a candidate, one or more interviewers, or both")
    wanted = [(raw, "interviewer", "interviewer") for raw in query.interviewer]
    if candidate_raw:
        wanted.insert(0, (candidate_raw, "candidate", "candidate"))
    people = people_of_roles(session, wanted)
    candidate = people[0] if candidate_raw else None
    named = sorted(set(people[1:] if candidate_raw else people))
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    if query.cursor:
        start = max(start, decode_instant(query.cursor) + HOUR)
    slots = find(session, candidate, named, start, end, query.limit + 1)
    more = len(slots) > query.limit
    slots = slots[:query.limit]
    return jsonify({"slots": [render(s) for s in slots],
                    "next": encode_instant(slots[-1].start) if more else None})
