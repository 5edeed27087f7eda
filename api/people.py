"""People: interviewers and candidates, each with an API key of their own."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from api import keys, schemas
from api.auth import principal, roles
from api.db import db
from api.errors import ApiError, not_found
from api.operations import operation
from api.pagination import page
from api.writes import write
from models import InterviewParticipant, Person, utcnow

bp = Blueprint("people", __name__)


def render(person: Person) -> dict[str, Any]:
    return {"id": str(person.id), "name": person.name, "email": person.email, "role": person.role}


def visible_person(person_id: str) -> Person:
    """The person, if the caller may see them; a candidate never sees another candidate."""
    ident = schemas.parse_id(person_id)
    person = db().get(Person, ident) if ident else None
    me = principal()
    if person is None or (me.role == "candidate" and person.role == "candidate"
                          and person.id != me.person_id):
        raise not_found("person", person_id)
    return person


@bp.post("/people")
@roles("admin")
@write
@operation("Create a person; the answer holds their API key, shown only here", tag="people",
           body=schemas.PersonIn, responses={201: schemas.PersonCreated})
def create_person(body: schemas.PersonIn) -> Response:
    session = db()
    person = Person(id=uuid.uuid4(), name=body.name, email=body.email,
                    email_key=body.email.lower(), role=body.role)
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:
        raise ApiError(409, f"a person with the email {body.email} already exists") from None
    api_key = keys.issue(session, body.role, person_id=person.id, label=body.email)
    response = jsonify({**render(person), "api_key": api_key})
    response.status_code = 201
    response.headers["Location"] = f"/v1/people/{person.id}"
    return response


@bp.get("/people")
@operation("List people", tag="people", query=schemas.PeopleQuery, responses={200: schemas.People})
def list_people(query: schemas.PeopleQuery) -> Response:
    stmt = select(Person)
    if query.role:
        stmt = stmt.where(Person.role == query.role)
    me = principal()
    if me.role == "candidate":
        stmt = stmt.where((Person.role == "interviewer") | (Person.id == me.person_id))
    items, nxt = page(db(), stmt, order=Person.created_at, ident=Person.id, limit=query.limit,
                      cursor=query.cursor, render=render)
    return jsonify({"people": items, "next": nxt})


@bp.get("/people/<person_id>")
@operation("Get a person", tag="people", responses={200: schemas.Person})
def get_person(person_id: str) -> Response:
    return jsonify(render(visible_person(person_id)))


@bp.delete("/people/<person_id>")
@roles("admin")
@write
@operation("Delete a person (409 while they have interviews ahead)", tag="people",
           responses={204: None})
def delete_person(person_id: str) -> Response:
    person = visible_person(person_id)
    session = db()
    upcoming = session.scalar(select(exists().where(
        InterviewParticipant.person_id == person.id, InterviewParticipant.start >= utcnow())))
    if upcoming:
        raise ApiError(409, f"person {person_id} has booked interviews ahead; cancel them first")
    session.execute(delete(Person).where(Person.id == person.id))
    return Response(status=204)
