"""Weekly hours: a person's working hours by weekday, offered every week up to the horizon."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from api.auth import caller
from api.db import db, runtime
from api.endpoint import endpoint
from api.weekly_schemas import WeeklyHours, WeeklyHoursIn, render
from api.writes import write
from workers import people, weekly_hours

bp = Blueprint("weekly_hours", __name__)

REFUSAL = "you may change only your own weekly hours"


@bp.put("/people/<person_id>/weekly-hours")
@write
@endpoint("Set a person's weekly hours (read in their time zone); answers them, merged",
          tag="availability", body=WeeklyHoursIn, responses={200: WeeklyHours})
def put_weekly_hours(person_id: str, body: WeeklyHoursIn) -> Response:
    person = people.writable(db(), person_id, caller(), REFUSAL)
    stored = weekly_hours.replace(db(), person, body.template(), runtime().settings,
                                  runtime().clock.now())
    return jsonify(render(stored))


@bp.get("/people/<person_id>/weekly-hours")
@endpoint("Read a person's weekly hours (`{days: {}}` when they have none)",
          tag="availability", responses={200: WeeklyHours})
def get_weekly_hours(person_id: str) -> Response:
    person = people.visible(db(), person_id, caller())
    return jsonify(render(weekly_hours.read(db(), person.id)))


@bp.delete("/people/<person_id>/weekly-hours")
@write
@endpoint("Delete a person's weekly hours; hours they added and booked hours stay",
          tag="availability", responses={204: None})
def delete_weekly_hours(person_id: str) -> Response:
    person = people.writable(db(), person_id, caller(), REFUSAL)
    weekly_hours.clear(db(), person, runtime().settings, runtime().clock.now())
    return Response(status=204)
