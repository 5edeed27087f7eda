"""GET /v1/slots: the hours where interviews can take place (synchronous)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from api import schemas
from api.auth import caller
from api.db import db
from api.endpoint import endpoint, validation_context
from api.pagination import answer, bounded, decode_instant, encode_instant
from scheduling.hours import HOUR
from scheduling.slots import Slot
from workers import slots
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
