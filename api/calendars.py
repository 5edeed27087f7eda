"""People's own calendars: register a feed or upload one, list, read again now, delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, jsonify

from api import schemas
from api.answers import accepted, waits
from api.auth import caller
from api.calendar_schemas import Calendar, CalendarIn, Calendars
from api.db import db, runtime
from api.endpoint import endpoint
from api.pagination import answer, page
from api.writes import write
from models import CalendarFeed
from workers import calendars, people

bp = Blueprint("calendars", __name__)

REFUSAL = "you may change only your own calendars"
ICS = "text/calendar"
JOB_RESPONSES = {202: schemas.JobAccepted, 200: schemas.JobAccepted}


@bp.post("/people/<person_id>/calendars")
@waits
@write
@endpoint("Add a calendar: a feed's URL as JSON `{url}`, or an upload as text/calendar; a job "
          "reads it", tag="calendars", body=CalendarIn, uploads=(ICS,),
          responses=JOB_RESPONSES)
def add_calendar(person_id: str, body: CalendarIn | bytes) -> Response:
    person = people.writable(db(), person_id, caller(), REFUSAL)
    rt = runtime()
    given = {"upload": body} if isinstance(body, bytes) else {
        "url": body.url, "callback_url": body.callback_url}
    return accepted(calendars.add(db(), person, settings=rt.settings, now=rt.clock.now(),
                                  submitted_by=caller().key_id, **given))


@bp.get("/people/<person_id>/calendars")
@endpoint("List a person's calendars", tag="calendars", query=schemas.Page,
          responses={200: Calendars})
def list_calendars(person_id: str, query: schemas.Page) -> Response:
    person = people.visible(db(), person_id, caller())
    return answer("calendars", *page(db(), calendars.of_person(person.id),
                                     order=CalendarFeed.created_at, ident=CalendarFeed.id,
                                     limit=query.limit, cursor=query.cursor, render=_rendered))


def _rendered(rows: Sequence[CalendarFeed]) -> list[dict[str, Any]]:
    rt = runtime()
    busy = calendars.busy_counts(db(), [row.id for row in rows], rt.settings, rt.clock.now())
    return [calendars.render(row, busy.get(row.id, 0)) for row in rows]


@bp.get("/people/<person_id>/calendars/<calendar_id>")
@endpoint("Get one of a person's calendars", tag="calendars", responses={200: Calendar})
def get_calendar(person_id: str, calendar_id: str) -> Response:
    person = people.visible(db(), person_id, caller())
    rt = runtime()
    return jsonify(calendars.described(db(), calendars.get(db(), person, calendar_id),
                                       rt.settings, rt.clock.now()))


@bp.delete("/people/<person_id>/calendars/<calendar_id>")
@write
@endpoint("Delete a calendar; its busy time is gone at once", tag="calendars",
          responses={204: None})
def delete_calendar(person_id: str, calendar_id: str) -> Response:
    person = people.writable(db(), person_id, caller(), REFUSAL)
    calendars.remove(db(), calendars.get(db(), person, calendar_id, with_for_update=True))
    return Response(status=204)


@bp.post("/people/<person_id>/calendars/<calendar_id>/sync")
@waits
@write
@endpoint("Read a calendar again now (a job)", tag="calendars", responses=JOB_RESPONSES)
def sync_calendar(person_id: str, calendar_id: str) -> Response:
    person = people.writable(db(), person_id, caller(), REFUSAL)
    calendar = calendars.get(db(), person, calendar_id)
    return accepted(calendars.sync(db(), calendar, runtime().clock.now(), caller().key_id))
