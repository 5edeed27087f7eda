"""People: interviewers and candidates, each with an API key of their own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, jsonify

from api import person_schemas as schemas
from api.answers import created
from api.auth import caller, revoking, roles
from api.db import db, runtime
from api.endpoint import MERGE_PATCH, endpoint, validated
from api.pagination import answer, page
from api.writes import write
from models import Person
from workers import people

bp = Blueprint("people", __name__)


def rendered(rows: Sequence[Person]) -> list[dict[str, Any]]:
    """People as every answer gives them, with their effective zone and their tags."""
    tags, zone = people.tags_of(db(), [p.id for p in rows]), runtime().settings.calendar_tz
    return [{"id": str(p.id), "name": p.name, "email": p.email, "role": p.role,
             "time_zone": p.time_zone or zone, "tags": tags.get(p.id, []),
             "max_interviews_per_day": p.max_interviews_per_day,
             "max_interviews_per_week": p.max_interviews_per_week} for p in rows]


def render(person: Person) -> dict[str, Any]:
    return rendered([person])[0]


@bp.post("/people")
@roles("admin")
@write
@endpoint("Create a person; the answer holds their API key, shown only here", tag="people",
          body=schemas.PersonIn, responses={201: schemas.PersonCreated})
def create_person(body: schemas.PersonIn) -> Response:
    person, api_key = people.create(db(), body.name, body.email, body.role,
                                    runtime().clock.now(), body.fields())
    return created({**render(person), "api_key": api_key}, f"/v1/people/{person.id}")


@bp.get("/people")
@endpoint("List people, by role and by tags (a person must carry every tag given)",
          tag="people", query=schemas.PeopleQuery, multi=("tag",),
          responses={200: schemas.People})
def list_people(query: schemas.PeopleQuery) -> Response:
    return answer("people", *page(db(), people.listing(query.role, query.tag, caller()),
                                  order=Person.created_at, ident=Person.id, limit=query.limit,
                                  cursor=query.cursor, render=rendered))


@bp.get("/people/<person_id>")
@endpoint("Get a person", tag="people", responses={200: schemas.Person})
def get_person(person_id: str) -> Response:
    return jsonify(render(people.visible(db(), person_id, caller())))


@bp.patch("/people/<person_id>")
@write
@endpoint("Change a person by a JSON merge patch: admins all but the role, a person their own "
          "name and time_zone", tag="people", body=schemas.PersonPatch, raw_body=True,
          media_types=MERGE_PATCH, responses={200: schemas.Person})
def patch_person(person_id: str, body: dict[str, Any]) -> Response:
    person = people.patchable(db(), person_id, caller(), list(body))
    people.update(db(), person, validated(schemas.PersonPatch, body).changes(),
                  runtime().settings, runtime().clock.now())
    return jsonify(render(person))


@bp.get("/me")
@endpoint("Who the caller is: their person, or the admin role for an admin key", tag="people",
          responses={200: schemas.Me})
def me() -> Response:
    who = caller()
    if who.person_id is None:
        return jsonify({"role": "admin", "id": None})
    return jsonify(render(people.visible(db(), str(who.person_id), who)))


@bp.delete("/people/<person_id>")
@roles("admin")
@write
@endpoint("Delete a person (409 while they have interviews ahead)", tag="people",
          responses={204: None})
def delete_person(person_id: str) -> Response:
    revoking()  # their keys go with them
    people.remove(db(), people.visible(db(), person_id, caller()), runtime().clock.now())
    return Response(status=204)
