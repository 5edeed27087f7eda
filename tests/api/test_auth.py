"""Bearer keys and roles on /v1; the public operational endpoints need none."""

import hashlib

import pytest
from sqlalchemy import select

from models import ApiKey
from tests.api.conftest import Api
from workers.queue.runtime import Runtime


def test_a_request_without_a_key_is_401_problem_json(anon: Api) -> None:
    r = anon.get("/v1/people")
    assert r.status_code == 401
    assert r.content_type == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.json["status"] == 401 and r.json["title"] and r.json["detail"] and r.json["type"]


def test_an_unknown_key_is_401(anon: Api) -> None:
    assert anon.as_key("ic_not-a-key").get("/v1/people").status_code == 401


def test_a_non_bearer_scheme_is_401(anon: Api) -> None:
    r = anon.client.get("/v1/people", headers={"Authorization": "Basic YWxhZGRpbjpvcGVu"})
    assert r.status_code == 401


def test_an_interviewer_may_not_create_people(admin: Api) -> None:
    interviewer = admin.person("interviewer")
    r = admin.as_key(interviewer["api_key"]).post(
        "/v1/people", {"name": "X", "email": "x@example.com", "role": "candidate"})
    assert r.status_code == 403
    assert r.content_type == "application/problem+json"


def test_keys_are_stored_only_as_hashes(admin: Api, runtime: Runtime) -> None:
    person = admin.person("candidate")
    with runtime.sessions() as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert hashlib.sha256(person["api_key"].encode()).hexdigest() in stored
    assert person["api_key"] not in stored


def test_a_person_key_acts_for_that_person(admin: Api) -> None:
    person = admin.person("candidate")
    r = admin.as_key(person["api_key"]).get(f"/v1/people/{person['id']}")
    assert r.status_code == 200 and r.json["id"] == person["id"]
    assert "api_key" not in r.json


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/docs"])
def test_operational_endpoints_need_no_key(anon: Api, path: str) -> None:
    assert anon.get(path).status_code == 200
