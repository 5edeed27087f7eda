"""API keys: random, stored as hashes, listed without secrets, issued again and revoked."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from models import ApiKey
from tests.api.conftest import Api
from workers.queue.runtime import Runtime


def issue(api: Api, person_id: str, label: str = "") -> dict[str, str]:
    r = api.post(f"/v1/people/{person_id}/api-keys", {"label": label})
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def own_keys(api: Api, person_id: str) -> list[dict[str, str]]:
    r = api.get(f"/v1/people/{person_id}/api-keys")
    assert r.status_code == 200, r.json
    return r.json["api_keys"]  # type: ignore[no-any-return]


def test_keys_are_256_bit_random_and_stored_only_as_sha256(admin: Api,
                                                           runtime: Runtime) -> None:
    person = admin.person("candidate")
    new = issue(admin, person["id"])
    for key in (person["api_key"], new["api_key"]):
        assert key.startswith("ic_") and len(key) == 3 + 43  # token_urlsafe(32): 256 bits
    with runtime.sessions() as session:
        stored = set(session.scalars(select(ApiKey.key_hash)))
    assert hashlib.sha256(new["api_key"].encode()).hexdigest() in stored
    assert not {person["api_key"], new["api_key"]} & stored


def test_a_person_sees_their_keys_without_secrets(admin: Api) -> None:
    person = admin.person("interviewer")
    listed = own_keys(admin.as_key(person["api_key"]), person["id"])
    assert len(listed) == 1
    assert set(listed[0]) == {"id", "role", "person", "label", "created_at", "revoked_at"}
    assert listed[0]["person"] == person["id"] and listed[0]["revoked_at"] is None
    assert person["api_key"] not in str(listed)


def test_rotation_gives_a_working_key_and_revoking_the_old_one_answers_401(admin: Api) -> None:
    person = admin.person("candidate")
    me = admin.as_key(person["api_key"])
    old = own_keys(me, person["id"])[0]
    new = issue(me, person["id"], "laptop")
    assert new["label"] == "laptop" and new["role"] == "candidate"
    mine = admin.as_key(new["api_key"])
    assert mine.get(f"/v1/people/{person['id']}").status_code == 200
    assert me.get("/v1/people").status_code == 200  # both work until the old one is revoked
    assert mine.delete(f"/v1/api-keys/{old['id']}").status_code == 204
    r = me.get("/v1/people")
    assert r.status_code == 401 and r.content_type == "application/problem+json"
    assert mine.get("/v1/people").status_code == 200
    listed = {k["id"]: k for k in own_keys(mine, person["id"])}
    assert listed[old["id"]]["revoked_at"] is not None
    assert listed[new["id"]]["revoked_at"] is None


def test_revoking_twice_changes_nothing(admin: Api) -> None:
    person = admin.person("candidate")
    key = own_keys(admin, person["id"])[0]
    assert admin.delete(f"/v1/api-keys/{key['id']}").status_code == 204
    first = own_keys(admin, person["id"])[0]["revoked_at"]
    assert admin.delete(f"/v1/api-keys/{key['id']}").status_code == 204
    assert own_keys(admin, person["id"])[0]["revoked_at"] == first
    assert admin.as_key(person["api_key"]).get("/v1/people").status_code == 401


def test_a_person_cannot_see_issue_or_revoke_another_persons_keys(admin: Api) -> None:
    alice, bob = admin.person("candidate", "Alice"), admin.person("interviewer", "Bob")
    bob_key = own_keys(admin, bob["id"])[0]
    as_alice = admin.as_key(alice["api_key"])
    assert as_alice.delete(f"/v1/api-keys/{bob_key['id']}").status_code == 404
    assert as_alice.post(f"/v1/people/{bob['id']}/api-keys", {}).status_code == 403
    assert as_alice.get(f"/v1/people/{bob['id']}/api-keys").status_code == 403
    assert admin.as_key(bob["api_key"]).get(f"/v1/people/{alice['id']}/api-keys").status_code \
        == 403
    assert as_alice.get("/v1/api-keys").status_code == 403
    assert admin.as_key(bob["api_key"]).get("/v1/people").status_code == 200


def test_issuing_for_an_unknown_person_is_404_for_an_admin(admin: Api) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    assert admin.post(f"/v1/people/{unknown}/api-keys", {}).status_code == 404
    assert admin.delete(f"/v1/api-keys/{unknown}").status_code == 404
    assert admin.delete("/v1/api-keys/not-an-id").status_code == 404


def test_the_last_admin_key_cannot_be_revoked_until_another_exists(admin: Api) -> None:
    listed = admin.get("/v1/api-keys").json["api_keys"]
    (bootstrap,) = [k for k in listed if k["role"] == "admin"]
    r = admin.delete(f"/v1/api-keys/{bootstrap['id']}")
    assert r.status_code == 409 and "last admin key" in r.json["detail"]
    created = admin.post("/v1/api-keys", {"label": "second coordinator"})
    assert created.status_code == 201 and created.json["role"] == "admin"
    assert created.json["person"] is None
    second = admin.as_key(created.json["api_key"])
    assert second.delete(f"/v1/api-keys/{bootstrap['id']}").status_code == 204
    assert admin.get("/v1/people").status_code == 401
    assert second.delete(f"/v1/api-keys/{created.json['id']}").status_code == 409
    assert second.get("/v1/people").status_code == 200


def test_a_deleted_persons_keys_stop_working(admin: Api) -> None:
    person = admin.person("candidate")
    assert admin.delete(f"/v1/people/{person['id']}").status_code == 204
    assert admin.as_key(person["api_key"]).get("/v1/people").status_code == 401
