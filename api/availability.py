"""Availability: add and remove hours (as jobs), read them, and import many people's at once."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, jsonify
from sqlalchemy import select

from api import schemas
from api.auth import principal, roles
from api.db import db
from api.errors import ApiError, not_found
from api.jobs import accepted
from api.operations import operation, validation_context
from api.people import visible_person
from api.writes import write
from models import AvailabilityHour, InterviewParticipant, Person
from scheduling.hours import Range, merge, merge_ranges
from workers import dispatch
from workers.availability import encode_ranges, missing_people

bp = Blueprint("availability", __name__)

JOB_RESPONSES: dict[int, type[schemas.BaseModel] | None] = {202: schemas.JobAccepted,
                                                             200: schemas.JobAccepted}


def _writable_person(person_id: str) -> Person:
    """Admins write for anyone, others for themselves only (403, whether or not it exists)."""
    me = principal()
    ident = schemas.parse_id(person_id)
    if not me.is_admin and (ident is None or ident != me.person_id):
        raise ApiError(403, "you may change only your own availability")
    person = db().get(Person, ident) if ident else None
    if person is None:
        raise not_found("person", person_id)
    return person


def _submit(kind: str, person: Person, body: schemas.AvailabilityChange) -> Response:
    job = dispatch.submit(db(), kind, {"person": str(person.id),
                                       "ranges": encode_ranges(body.merged())},
                          submitted_by=principal().key_id, callback_url=body.callback_url)
    return accepted(job)


@bp.post("/people/<person_id>/availability")
@write
@operation("Add availability hours (a job)", tag="availability",
           body=schemas.AvailabilityChange, responses=JOB_RESPONSES)
def add_availability(person_id: str, body: schemas.AvailabilityChange) -> Response:
    return _submit("availability.add", _writable_person(person_id), body)


@bp.delete("/people/<person_id>/availability")
@bp.post("/people/<person_id>/availability:remove")
@write
@operation("Remove availability hours (a job; fails with 409 if an hour is booked)",
           tag="availability", body=schemas.AvailabilityChange, responses=JOB_RESPONSES)
def remove_availability(person_id: str, body: schemas.AvailabilityChange) -> Response:
    return _submit("availability.remove", _writable_person(person_id), body)


@bp.get("/people/<person_id>/availability")
@operation("Read a person's availability and booked hours in a window", tag="availability",
           query=schemas.WindowQuery, responses={200: schemas.Availability})
def read_availability(person_id: str, query: schemas.WindowQuery) -> Response:
    person = visible_person(person_id)
    context = validation_context()
    start, end = query.window(context["now"], context["tz"])
    session = db()
    hours = session.scalars(select(AvailabilityHour.start).where(
        AvailabilityHour.person_id == person.id,
        AvailabilityHour.start >= start, AvailabilityHour.start < end))
    booked = session.scalars(select(InterviewParticipant.start).where(
        InterviewParticipant.person_id == person.id,
        InterviewParticipant.start >= start, InterviewParticipant.start < end))
    return jsonify(schemas.Availability.model_validate({
        "ranges": [vars(r) for r in merge(hours)],
        "booked": [vars(r) for r in merge(booked)],
    }).model_dump(mode="json"))


@bp.post("/availability/imports")
@roles("admin")
@write
@operation("Import many people's availability in one all-or-nothing job", tag="availability",
           body=schemas.ImportIn, responses=JOB_RESPONSES)
def import_availability(body: schemas.ImportIn) -> Response:
    session = db()
    merged: dict[uuid.UUID, list[Range]] = {}
    for entry in body.entries:
        ident = schemas.parse_id(entry.person)
        if ident is None:
            raise not_found("person", entry.person)
        merged.setdefault(ident, []).extend(entry.merged())
    missing = missing_people(session, set(merged))
    if missing:
        raise not_found("person", missing[0])
    payload = {"entries": [{"person": str(person), "ranges": encode_ranges(merge_ranges(ranges))}
                           for person, ranges in merged.items()]}
    job = dispatch.submit(session, "availability.import", payload,
                          submitted_by=principal().key_id, callback_url=body.callback_url)
    return accepted(job)
