"""GET /v1/slots: the hours where interviews can take place (synchronous); and
GET /v1/slots/explain: why there is none."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from api import explanation_schemas, schemas
from api.auth import caller
from api.db import db, per_statement
from api.endpoint import endpoint, validation_context
from api.pagination import answer, bounded, decode_instant, encode_instant
from scheduling.explanations import Explanation
from scheduling.hours import HOUR
from scheduling.slots import Slot
from workers import explanations, slots
from workers.resources import z

bp = Blueprint("slots", __name__)


def render(slot: Slot) -> dict[str, Any]:
    """The `schemas.Slot` shape, built directly: slots can list tens of thousands of ids."""
    return {"start": z(slot.start), "end": z(slot.end), "candidates": list(slot.candidates),
            "interviewers": list(slot.interviewers),
            "panels": [{"candidate": c, "interviewers": list(i)} for c, i in slot.panels]}


@bp.get("/slots")
@endpoint("When interviews can take place (hours where the named people are free)",
          tag="slots", query=schemas.SlotsQuery, multi=("interviewer",),
          responses={200: schemas.Slots})
@per_statement
def list_slots(query: schemas.SlotsQuery) -> Response:
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    if query.cursor:
        start = max(start, decode_instant(query.cursor) + HOUR)
    found = slots.search(db(), caller(), query.candidate, query.interviewer, start, end,
                         query.limit + 1)
    if query.view == "times":  # the hours only: who is free then is not even read
        keyed = ((hour, {"start": z(hour), "end": z(hour + HOUR)}) for hour in found.hours())
    else:
        keyed = ((slot.start, render(slot)) for slot in found.slots())
    items, last = bounded(keyed, query.limit)
    return answer("slots", items, None if last is None else encode_instant(last))


def rendered(found: Explanation) -> dict[str, Any]:
    """The `explanation_schemas.Explanation` shape."""
    return {
        "people": [{"id": p.person, "offered_hours": p.offered, "booked_hours": p.booked,
                    "busy_hours": p.busy, "capped_hours": p.capped, "free_hours": p.free}
                   for p in found.people],
        "near_misses": [{"start": z(miss.start), "end": z(miss.end),
                         "missing": [{"id": person, "reason": reason}
                                     for person, reason in miss.missing]}
                        for miss in found.near_misses]}


@bp.get("/slots/explain")
@endpoint("Why there is no slot: each person's hours of the window, and the nearest misses",
          tag="slots", query=schemas.SlotPeopleQuery, multi=("interviewer",),
          responses={200: explanation_schemas.Explanation})
@per_statement
def explain_slots(query: schemas.SlotPeopleQuery) -> Response:
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    return jsonify(rendered(explanations.why_no_slot(
        db(), caller(), query.candidate, query.interviewer, start, end, context["tz"])))
