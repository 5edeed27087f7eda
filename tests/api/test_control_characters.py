"""A string with a control character is refused with 422 wherever it enters, on PostgreSQL and on
SQLite alike, and nothing is stored: no 500 from PostgreSQL's NUL, no ESC kept for a terminal,
no datetime read up to a NUL and accepted."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from models import ApiKey, IdempotencyKey, Job, Person
from tests.api.conftest import Api, Embedded, hours_from_now
from workers.queue.runtime import Runtime

CONTROLS = ["\x00", "\x1b[31m", "\x07", "\x7f", "\x85", "\t", "\n"]


@pytest.fixture(params=["postgresql", "sqlite"])
def calendar(request: pytest.FixtureRequest) -> tuple[Api, Runtime]:
    if request.param == "postgresql":
        admin: Api = request.getfixturevalue("admin")
        return admin, request.getfixturevalue("runtime")
    embedded: Embedded = request.getfixturevalue("embedded")
    return Api(embedded.client, embedded.key), embedded.runtime


def _counts(runtime: Runtime) -> tuple[int, ...]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                     for model in (Person, ApiKey, Job, IdempotencyKey))


def _refused(r: object, field: str) -> None:
    assert r.status_code == 422, (r.status_code, r.get_json())  # type: ignore[attr-defined]
    body = r.get_json()  # type: ignore[attr-defined]
    assert r.content_type == "application/problem+json"  # type: ignore[attr-defined]
    assert field in [e["field"] for e in body["errors"]], body


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
def test_a_control_character_in_a_body_is_422_and_stores_nothing(
        calendar: tuple[Api, Runtime], control: str) -> None:
    api, runtime = calendar
    person = api.person("interviewer")
    before = _counts(runtime)
    _refused(api.post("/v1/people", {"name": f"Eve{control}", "role": "candidate",
                                     "email": "eve@example.com"}), "name")
    _refused(api.post(f"/v1/people/{person['id']}/api-keys", {"label": f"ci{control}"}), "label")
    start = hours_from_now(2)
    _refused(api.post(f"/v1/people/{person['id']}/availability",
                      {"ranges": [{"start": start + control, "end": hours_from_now(3)}]}),
             "ranges[0].start")
    _refused(api.post("/v1/people", {f"name{control}": "Eve", "role": "candidate",
                                     "email": "eve@example.com"}), "body")
    assert _counts(runtime) == before


@pytest.mark.parametrize("control", CONTROLS, ids=repr)
def test_a_control_character_in_a_path_query_or_stored_header_is_422(
        calendar: tuple[Api, Runtime], control: str) -> None:
    api, runtime = calendar
    person = api.person("interviewer")
    before = _counts(runtime)
    _refused(api.get("/v1/jobs", query_string={"kind": f"match{control}"}), "kind")
    _refused(api.get("/v1/slots", query_string={"interviewer": person["id"] + control}),
             "interviewer")
    _refused(api.get(f"/v1/people/{person['id']}{quote(control)}"), "person_id")
    _refused(api.get("/v1/people", query_string={f"role{control}": "x"}), "query")
    assert _counts(runtime) == before


@pytest.mark.parametrize("control", [c for c in CONTROLS if c != "\n"], ids=repr)
def test_a_control_character_in_an_idempotency_key_is_422(
        calendar: tuple[Api, Runtime], control: str) -> None:
    """(A newline would end the header line: it cannot be sent inside one.)"""
    api, runtime = calendar
    before = _counts(runtime)
    _refused(api.post("/v1/people", {"name": "Eve", "role": "candidate",
                                     "email": "eve@example.com"},
                      headers={"Idempotency-Key": f"k{control}"}), "Idempotency-Key")
    assert _counts(runtime) == before


def test_escaped_backslashes_and_printable_unicode_are_plain_data(
        calendar: tuple[Api, Runtime]) -> None:
    api, _ = calendar
    name = "Zoë \\u0000 Ångström ☃ \\n"  # a backslash, then letters: no control character
    raw = json.dumps({"name": name, "role": "candidate", "email": "zoe@example.com"})
    r = api.client.post("/v1/people", data=raw, headers={"Authorization": f"Bearer {api.key}",
                                                          "Content-Type": "application/json"})
    assert r.status_code == 201, r.json
    assert api.get(f"/v1/people/{r.json['id']}").json["name"] == name
