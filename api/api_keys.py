"""API keys: list, issue and revoke them (the secret is shown once, when issued)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, Field
from sqlalchemy import select

from api import keys, schemas
from api.auth import principal, roles
from api.db import db
from api.errors import ApiError, not_found
from api.operations import operation
from api.pagination import page
from api.people import visible_person
from api.writes import write
from models import ApiKey, Person
from workers.resources import z

bp = Blueprint("api_keys", __name__)


class ApiKeyIn(schemas.Input):
    label: str = Field(default="", max_length=200)


Stamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class ApiKeyOut(BaseModel):
    id: str
    role: Literal["admin", "interviewer", "candidate"]
    person: str | None = Field(description="the person the key acts for; null for admin keys")
    label: str
    created_at: Stamp
    revoked_at: Stamp | None


class ApiKeyCreated(ApiKeyOut):
    api_key: str | None = Field(
        description="shown only in this response; null in an Idempotency-Key replay")


class ApiKeys(BaseModel):
    api_keys: list[ApiKeyOut]
    next: str | None


def render(row: ApiKey) -> dict[str, Any]:
    return {"id": str(row.id), "role": row.role,
            "person": str(row.person_id) if row.person_id else None, "label": row.label,
            "created_at": z(row.created_at), "revoked_at": z(row.revoked_at)}


def _created(row: ApiKey, key: str) -> Response:
    response = jsonify({**render(row), "api_key": key})
    response.status_code = 201
    return response


def _listing(stmt: Any, query: schemas.Page) -> Response:
    items, nxt = page(db(), stmt, order=ApiKey.created_at, ident=ApiKey.id, limit=query.limit,
                      cursor=query.cursor, render=render)
    return jsonify({"api_keys": items, "next": nxt})


@bp.get("/api-keys")
@roles("admin")
@operation("List every API key (never the secrets)", tag="api-keys", query=schemas.Page,
           responses={200: ApiKeys})
def list_keys(query: schemas.Page) -> Response:
    return _listing(select(ApiKey), query)


@bp.post("/api-keys")
@roles("admin")
@write
@operation("Issue another admin key; the answer holds it, shown only here", tag="api-keys",
           body=ApiKeyIn, responses={201: ApiKeyCreated})
def create_admin_key(body: ApiKeyIn) -> Response:
    return _created(*keys.create(db(), "admin", label=body.label))


@bp.get("/people/<person_id>/api-keys")
@operation("List a person's API keys (never the secrets)", tag="api-keys", query=schemas.Page,
           responses={200: ApiKeys})
def list_person_keys(person_id: str, query: schemas.Page) -> Response:
    person = visible_person(person_id)
    if not principal().may_act_for(person.id):
        raise ApiError(403, "you may list only your own API keys")
    return _listing(select(ApiKey).where(ApiKey.person_id == person.id), query)


@bp.post("/people/<person_id>/api-keys")
@write
@operation("Issue a person another key (their other keys keep working until revoked)",
           tag="api-keys", body=ApiKeyIn, responses={201: ApiKeyCreated})
def create_person_key(person_id: str, body: ApiKeyIn) -> Response:
    me, ident = principal(), schemas.parse_id(person_id)
    if not me.is_admin and (ident is None or ident != me.person_id):
        raise ApiError(403, "you may issue keys only for yourself")
    person = db().get(Person, ident) if ident else None
    if person is None:
        raise not_found("person", person_id)
    return _created(*keys.create(db(), person.role, person_id=person.id,
                                 label=body.label or person.email))


@bp.delete("/api-keys/<key_id>")
@write
@operation("Revoke an API key: it answers 401 from now on (409 for the last admin key)",
           tag="api-keys", responses={204: None})
def revoke_key(key_id: str) -> Response:
    me, ident = principal(), schemas.parse_id(key_id)
    session = db()
    row = session.get(ApiKey, ident, with_for_update=True) if ident else None
    if row is None or not (me.is_admin or (row.person_id is not None
                                           and row.person_id == me.person_id)):
        raise not_found("API key", key_id)
    if row.role == "admin" and row.revoked_at is None and keys.live_admin_keys(session) <= 1:
        raise ApiError(409, "this is the last admin key; issue another before revoking it")
    keys.revoke(session, row)
    return Response(status=204)
