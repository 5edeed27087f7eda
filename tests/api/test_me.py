"""GET /v1/me: who the caller is, in one request (the web page signs in with it)."""

from __future__ import annotations

from tests.api.conftest import Api


def test_an_admin_key_is_the_admin_role_with_no_person(admin: Api) -> None:
    r = admin.get("/v1/me")
    assert r.status_code == 200 and r.json == {"role": "admin", "id": None}


def test_a_person_s_key_answers_their_person_resource(admin: Api) -> None:
    for role in ("interviewer", "candidate"):
        created = admin.person(role, name="Grace")
        me = admin.as_key(created["api_key"]).get("/v1/me")
        assert me.status_code == 200
        assert me.json == admin.get(f"/v1/people/{created['id']}").json
        assert me.json["role"] == role and me.json["name"] == "Grace"


def test_every_key_of_a_person_answers_the_same_person(admin: Api) -> None:
    created = admin.person("interviewer")
    first = admin.as_key(created["api_key"])
    minted = first.post(f"/v1/people/{created['id']}/api-keys", {}).json["api_key"]
    assert first.as_key(minted).get("/v1/me").json["id"] == created["id"]


def test_without_a_valid_key_it_is_401(anon: Api) -> None:
    assert anon.get("/v1/me").status_code == 401
    assert anon.as_key("ic_nobody").get("/v1/me").status_code == 401
