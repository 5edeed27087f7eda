"""API keys: list, issue and revoke them (the secret is shown once, when issued)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Blueprint, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, select

from api import schemas
from api.answers import created
from api.auth import caller, revoking, roles
from api.db import db, runtime
from api.endpoint import endpoint
from api.pagination import answer, each, page
from api.writes import write
from models import ApiKey
from workers import api_keys, people
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


def _listing(stmt: Select[ApiKey], query: schemas.Page) -> Response:
    return answer("api_keys", *page(db(), stmt, order=ApiKey.created_at, ident=ApiKey.id,
                                    limit=query.limit, cursor=query.cursor, render=each(render)))


@bp.get("/api-keys")
@roles("admin")
@endpoint("List every API key (never the secrets)", tag="api-keys", query=schemas.Page,
          responses={200: ApiKeys})
def list_keys(query: schemas.Page) -> Response:
    return _listing(select(ApiKey), query)


@bp.post("/api-keys")
@roles("admin")
@write
@endpoint("Issue another admin key; the answer holds it, shown only here", tag="api-keys",
          body=ApiKeyIn, responses={201: ApiKeyCreated})
def create_admin_key(body: ApiKeyIn) -> Response:
    row, key = api_keys.create(db(), "admin", runtime().clock.now(), label=body.label)
    return created({**render(row), "api_key": key})


@bp.get("/people/<person_id>/api-keys")
@endpoint("List a person's API keys (never the secrets)", tag="api-keys", query=schemas.Page,
          responses={200: ApiKeys})
def list_person_keys(person_id: str, query: schemas.Page) -> Response:
    person = people.visible(db(), person_id, caller())
    caller().require_acting_for(person.id, "you may list only your own API keys")
    return _listing(select(ApiKey).where(ApiKey.person_id == person.id), query)


@bp.post("/people/<person_id>/api-keys")
@write
@endpoint("Issue a person another key (their other keys keep working until revoked)",
          tag="api-keys", body=ApiKeyIn, responses={201: ApiKeyCreated})
def create_person_key(person_id: str, body: ApiKeyIn) -> Response:
    person = people.writable(db(), person_id, caller(), "you may issue keys only for yourself")
    row, key = api_keys.create(db(), person.role, runtime().clock.now(), person_id=person.id,
                               label=body.label or person.email)
    return created({**render(row), "api_key": key})


@bp.delete("/api-keys/<key_id>")
@write
@endpoint("Revoke an API key: it answers 401 from now on (409 for the last admin key)",
          tag="api-keys", responses={204: None})
def revoke_key(key_id: str) -> Response:
    revoking()
    api_keys.revoke(db(), api_keys.visible(db(), key_id, caller()), runtime().clock.now())
    return Response(status=204)
