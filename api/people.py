"""People: interviewers and candidates, each with an API key of their own."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from api import schemas
from api.answers import created
from api.auth import caller, roles
from api.db import db, runtime
from api.endpoint import endpoint
from api.pagination import answer, each, page
from api.writes import write
from models import Person
from workers import people

bp = Blueprint("people", __name__)


def render(person: Person) -> dict[str, Any]:
    return {"id": str(person.id), "name": person.name, "email": person.email, "role": person.role}


@bp.post("/people")
@roles("admin")
@write
@endpoint("Create a person; the answer holds their API key, shown only here", tag="people",
          body=schemas.PersonIn, responses={201: schemas.PersonCreated})
def create_person(body: schemas.PersonIn) -> Response:
    person, api_key = people.create(db(), body.name, body.email, body.role,
                                    runtime().clock.now())
    return created({**render(person), "api_key": api_key}, f"/v1/people/{person.id}")


@bp.get("/people")
@endpoint("List people", tag="people", query=schemas.PeopleQuery, responses={200: schemas.People})
def list_people(query: schemas.PeopleQuery) -> Response:
    return answer("people", *page(db(), people.listing(query.role, caller()),
                                  order=Person.created_at, ident=Person.id, limit=query.limit,
                                  cursor=query.cursor, render=each(render)))


@bp.get("/people/<person_id>")
@endpoint("Get a person", tag="people", responses={200: schemas.Person})
def get_person(person_id: str) -> Response:
    return jsonify(render(people.visible(db(), person_id, caller())))


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
    people.remove(db(), people.visible(db(), person_id, caller()), runtime().clock.now())
    return Response(status=204)
