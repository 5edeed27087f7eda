"""Availability: add and remove hours (as jobs), read them, and import many people's at once."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel

from api import schemas
from api.answers import accepted, waits
from api.auth import caller, roles
from api.db import db, runtime
from api.endpoint import endpoint, validation_context
from api.writes import write
from workers import availability, outbox, people

bp = Blueprint("availability", __name__)

JOB_RESPONSES: dict[int, type[BaseModel] | None] = {202: schemas.JobAccepted,
                                                             200: schemas.JobAccepted}


def _submit(kind: str, person_id: str, body: schemas.AvailabilityChange) -> Response:
    """Admins write for anyone, others for themselves only (403, whether or not it exists)."""
    job = people.submit_for(db(), person_id, caller(), "you may change only your own availability",
                            kind, lambda ident: availability.change_payload(ident, body.merged()),
                            now=runtime().clock.now(), submitted_by=caller().key_id,
                            callback_url=body.callback_url)
    return accepted(job)


@bp.post("/people/<person_id>/availability")
@waits
@write
@endpoint("Add availability hours (a job)", tag="availability",
          body=schemas.AvailabilityChange, responses=JOB_RESPONSES)
def add_availability(person_id: str, body: schemas.AvailabilityChange) -> Response:
    return _submit("availability.add", person_id, body)


@bp.delete("/people/<person_id>/availability")
@bp.post("/people/<person_id>/availability:remove")
@waits
@write
@endpoint("Remove availability hours (a job; fails with 409 if an hour is booked)",
          tag="availability", body=schemas.AvailabilityChange, responses=JOB_RESPONSES)
def remove_availability(person_id: str, body: schemas.AvailabilityChange) -> Response:
    return _submit("availability.remove", person_id, body)


@bp.get("/people/<person_id>/availability")
@endpoint("Read a person's availability and booked hours in a window", tag="availability",
          query=schemas.WindowQuery, responses={200: schemas.Availability})
def read_availability(person_id: str, query: schemas.WindowQuery) -> Response:
    person = people.visible(db(), person_id, caller())
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    found = availability.read(db(), person.id, start, end)
    return jsonify(schemas.Availability.model_validate({
        name: [vars(r) for r in ranges] for name, ranges in found.items()
    }).model_dump(mode="json"))


@bp.post("/availability/imports")
@roles("admin")
@waits
@write
@endpoint("Import many people's availability in one all-or-nothing job", tag="availability",
          body=schemas.ImportIn, responses=JOB_RESPONSES)
def import_availability(body: schemas.ImportIn) -> Response:
    payload = availability.import_payload(db(), ((e.person, e.merged()) for e in body.entries))
    job = outbox.submit(db(), "availability.import", payload, now=runtime().clock.now(),
                        submitted_by=caller().key_id, callback_url=body.callback_url)
    return accepted(job)
