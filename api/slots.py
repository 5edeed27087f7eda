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
from workers.calendar import free_by_hour, hours_all_free, roles_and_hours_all_free
from workers.resources import z

bp = Blueprint("slots", __name__)
# Built once, as it runs on every slot request (so is workers.calendar's slot query).
ROLES = select(Person.id, Person.role).where(Person.id.in_(bindparam("ids", expanding=True)))


def people_of_roles(session: Session, wanted: list[tuple[str, str, str]]) -> list[uuid.UUID]:
    """The ids of existing people of the given roles, for each (raw id, role, field), with one
    query for all of them: 404 for one unknown (or another candidate, to a candidate), 422 for
    one of the other role."""
    ids = _parsed(wanted)
    known = list({ident for ident in ids.values() if ident})
    found = dict(session.connection().execute(ROLES, {"ids": known}).all()) if known else {}
    return _checked(wanted, ids, found)


def _parsed(wanted: list[tuple[str, str, str]]) -> dict[str, uuid.UUID | None]:
    """Ids are opaque: one that cannot be an id we issued names nobody (None)."""
    return {raw: schemas.parse_id(raw) for raw, _, _ in wanted}


def _checked(wanted: list[tuple[str, str, str]], ids: dict[str, uuid.UUID | None],
             found: dict[uuid.UUID, str]) -> list[uuid.UUID]:
    """`wanted`'s ids, in order, once each is found with its role in `found`."""
    me = principal()
    out = []
    for raw, role, field in wanted:
        ident = ids[raw]
        actual = found.get(ident) if ident else None
        if ident is None or actual is None or (
                me.role == "candidate" and actual == "candidate" and ident != me.person_id):
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
         start: datetime, end: datetime, limit: int,
         first: list[datetime] | None = None) -> list[Slot]:
    """Up to `limit` slots from `start`: hours where the named people are all free, then the
    slot rule on who else is free then, a batch of hours at a time (the first batch may come
    with the request's people: `first`)."""
    anchors = _anchors(candidate, named)
    batch = _batch(limit)
    found: list[Slot] = []
    while len(found) < limit and start < end:
        hours = first if first is not None else hours_all_free(session, anchors, start, end,
                                                               limit=batch)
        first = None
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


def _anchors(candidate: uuid.UUID | None, named: list[uuid.UUID]) -> list[uuid.UUID]:
    """Who must all be free at a slot's hour."""
    return [*([candidate] if candidate else []), *named]


def _batch(limit: int) -> int:
    """Hours asked for at a time: hours can fail the slot rule, so a small page still asks for
    a few dozen rather than one query per hour."""
    return max(limit, 64)


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
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    if query.cursor:
        start = max(start, decode_instant(query.cursor) + HOUR)
    ids = _parsed(wanted)
    candidate = ids[candidate_raw] if candidate_raw else None
    named = sorted({ident for raw in query.interviewer if (ident := ids[raw])})
    limit = query.limit + 1
    # The people's roles come with the first batch of hours, in one round trip; an id that
    # names nobody makes `_checked` answer 404 before those hours are used.
    found, first = roles_and_hours_all_free(session, _anchors(candidate, named), start, end,
                                            _batch(limit))
    _checked(wanted, ids, found)
    slots = find(session, candidate, named, start, end, limit, first)
    more = len(slots) > query.limit
    slots = slots[:query.limit]
    return jsonify({"slots": [render(s) for s in slots],
                    "next": encode_instant(slots[-1].start) if more else None})
