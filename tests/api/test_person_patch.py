"""PATCH /v1/people/{id} (SPEC §5): a JSON merge patch, admins changing all but the role, a
person their own name and time zone only, checked before any value is."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, AppFactory, assert_too_many, key_for

FIELDS = ("time_zone", "tags", "max_interviews_per_day", "max_interviews_per_week")


def interviewer(api: Api, **fields: Any) -> dict[str, Any]:
    r = api.post("/v1/people", {"name": "Ivy", "email": "ivy@example.com",
                                "role": "interviewer", **fields})
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def test_a_merge_patch_changes_what_it_names_and_keeps_the_rest(admin: Api) -> None:
    ivy = interviewer(admin, tags=["backend"], max_interviews_per_week=10)
    path = f"/v1/people/{ivy['id']}"
    r = admin.patch(path, {"time_zone": "Europe/Berlin", "tags": ["senior", "backend"],
                           "max_interviews_per_day": 3})
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in FIELDS} == {
        "time_zone": "Europe/Berlin", "tags": ["backend", "senior"],
        "max_interviews_per_day": 3, "max_interviews_per_week": 10}
    renamed = admin.patch(path, {"name": "Ivy B."})
    assert renamed.json == {**r.json, "name": "Ivy B."}
    assert admin.patch(path, {}).json == renamed.json
    assert admin.get(path).json == renamed.json


def test_null_clears_a_field_back_to_its_default(admin: Api) -> None:
    ivy = interviewer(admin, time_zone="Asia/Kolkata", tags=["a", "b"],
                      max_interviews_per_day=2, max_interviews_per_week=9)
    r = admin.patch(f"/v1/people/{ivy['id']}", {
        "time_zone": None, "tags": None, "max_interviews_per_day": None,
        "max_interviews_per_week": None})
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in FIELDS} == {
        "time_zone": "UTC", "tags": [], "max_interviews_per_day": None,
        "max_interviews_per_week": None}
    assert r.json["name"] == "Ivy"
    assert admin.get("/v1/people?tag=a").json["people"] == []


def test_name_and_email_cannot_be_cleared(admin: Api) -> None:
    ivy = interviewer(admin)
    for field in ("name", "email"):
        r = admin.patch(f"/v1/people/{ivy['id']}", {field: None})
        assert r.status_code == 422, r.json
        assert [e["field"] for e in r.json["errors"]] == [field]


def test_both_json_media_types_are_taken_and_any_other_is_415(admin: Api) -> None:
    ivy = interviewer(admin)
    path = f"/v1/people/{ivy['id']}"
    for media in ("application/merge-patch+json", "application/json",
                  "application/json; charset=utf-8"):
        assert admin.patch(path, {"name": media}, content_type=media).status_code == 200, media
    for media in ("text/plain", "application/x-www-form-urlencoded", "application/xml", ""):
        r = admin.patch(path, {"name": "Never"}, content_type=media)
        assert r.status_code == 415, (media, r.json)
        assert r.content_type == "application/problem+json"
    assert admin.get(path).json["name"] == "application/json; charset=utf-8"


def test_an_admin_may_not_change_a_role_nor_send_an_unknown_field(admin: Api) -> None:
    ivy = interviewer(admin)
    for body, field in (({"role": "candidate"}, "role"), ({"role": "interviewer"}, "role"),
                        ({"admin": True}, "admin"), ({"id": ivy["id"]}, "id")):
        r = admin.patch(f"/v1/people/{ivy['id']}", body)
        assert r.status_code == 422, (body, r.json)
        assert [e["field"] for e in r.json["errors"]] == [field]
    assert admin.get(f"/v1/people/{ivy['id']}").json["role"] == "interviewer"


def test_each_invalid_value_is_a_422_naming_it_and_changes_nothing(admin: Api) -> None:
    ivy = interviewer(admin)
    for body, field in (({"time_zone": "Moon/Tranquility"}, "time_zone"),
                        ({"tags": ["UPPER"]}, "tags[0]"),
                        ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
                        ({"max_interviews_per_day": 25}, "max_interviews_per_day"),
                        ({"max_interviews_per_week": 0}, "max_interviews_per_week"),
                        ({"email": "not an email"}, "email"), ({"name": ""}, "name")):
        r = admin.patch(f"/v1/people/{ivy['id']}", {"name": "Changed", **body})
        assert r.status_code == 422, (body, r.json)
        assert [e["field"] for e in r.json["errors"]] == [field], body
    assert admin.get(f"/v1/people/{ivy['id']}").json == {k: v for k, v in ivy.items()
                                                          if k != "api_key"}


def test_an_admin_changes_an_email_unless_another_person_has_it(admin: Api) -> None:
    ivy = interviewer(admin)
    admin.person("candidate", email="Taken@Example.com")
    path = f"/v1/people/{ivy['id']}"
    r = admin.patch(path, {"email": "taken@example.COM", "name": "Not applied"})
    assert r.status_code == 409, r.json
    assert admin.get(path).json["name"] == "Ivy"
    assert admin.patch(path, {"email": "IVY@example.com"}).json["email"] == "IVY@example.com"
    moved = admin.patch(path, {"email": "ivy.b@example.com"})
    assert moved.status_code == 200 and moved.json["email"] == "ivy.b@example.com"
    reuse = admin.post("/v1/people", {"name": "New", "email": "ivy@example.com",
                                      "role": "candidate"})
    assert reuse.status_code == 201, reuse.json


def test_tags_or_caps_on_a_candidate_are_422(admin: Api) -> None:
    cid = admin.person("candidate")
    for body in ({"tags": ["backend"]}, {"max_interviews_per_day": 1},
                 {"max_interviews_per_week": 1}):
        r = admin.patch(f"/v1/people/{cid['id']}", body)
        assert r.status_code == 422, r.json
        assert [e["field"] for e in r.json["errors"]] == list(body)
    same = admin.patch(f"/v1/people/{cid['id']}", {"tags": None, "max_interviews_per_day": None,
                                                   "time_zone": "Europe/Lisbon"})
    assert same.status_code == 200, same.json
    assert same.json["tags"] == [] and same.json["time_zone"] == "Europe/Lisbon"


def test_a_person_changes_their_own_name_and_time_zone(admin: Api) -> None:
    for role in ("interviewer", "candidate"):
        me = admin.person(role)
        as_me = admin.as_key(me["api_key"])
        r = as_me.patch(f"/v1/people/{me['id']}", {"name": "Me", "time_zone": "Asia/Tokyo"})
        assert r.status_code == 200, r.json
        assert (r.json["name"], r.json["time_zone"]) == ("Me", "Asia/Tokyo")
        assert as_me.get("/v1/me").json == r.json
        cleared = as_me.patch(f"/v1/people/{me['id']}", {"time_zone": None})
        assert cleared.json["time_zone"] == "UTC"


def test_a_person_changing_anything_else_is_403_whatever_the_value(admin: Api) -> None:
    ivy = interviewer(admin, tags=["backend"])
    as_ivy = admin.as_key(ivy["api_key"])
    for body in ({"tags": ["senior"]}, {"tags": ["NOT A TAG!"]}, {"tags": "nope"},
                 {"max_interviews_per_day": 99}, {"max_interviews_per_week": 2},
                 {"email": "ivy2@example.com"}, {"role": "candidate"}, {"unknown": 1},
                 {"name": "Fine", "tags": None}):
        r = as_ivy.patch(f"/v1/people/{ivy['id']}", body)
        assert r.status_code == 403, (body, r.json)
        assert r.content_type == "application/problem+json"
    assert admin.get(f"/v1/people/{ivy['id']}").json == {k: v for k, v in ivy.items()
                                                          if k != "api_key"}


def test_a_person_may_not_patch_anyone_else_even_with_a_bad_body(admin: Api) -> None:
    ivy, cid = interviewer(admin), admin.person("candidate")
    for caller, target in ((cid, ivy), (ivy, cid)):
        as_caller = admin.as_key(caller["api_key"])
        for body in ({"name": "Hijacked"}, {"time_zone": "Nowhere/At_All"}):
            r = as_caller.patch(f"/v1/people/{target['id']}", body)
            assert r.status_code == 403, r.json
    nobody = "6d0c1a3e-58a4-4e0b-9a57-1b7d6f1f7c11"
    assert admin.as_key(ivy["api_key"]).patch(f"/v1/people/{nobody}",
                                              {"name": "X"}).status_code == 403
    assert admin.patch(f"/v1/people/{nobody}", {"name": "X"}).status_code == 404
    assert admin.get(f"/v1/people/{ivy['id']}").json["name"] == "Ivy"


def test_a_body_that_is_not_an_object_is_422_and_bad_json_400(admin: Api) -> None:
    ivy = interviewer(admin)
    assert admin.patch(f"/v1/people/{ivy['id']}", ["name"]).status_code == 422
    bad = admin.client.patch(f"/v1/people/{ivy['id']}", data=b'{"name":',
                             content_type="application/merge-patch+json",
                             headers={"Authorization": f"Bearer {admin.key}"})
    assert bad.status_code == 400


def test_patches_count_as_writes_toward_the_limit(limited_app: AppFactory) -> None:
    app = limited_app(rate_limit_writes="2/minute")
    admin = key_for(app)
    ivy = admin.post("/v1/people", {"name": "Ivy", "email": "ivy.limits@example.com",
                                    "role": "interviewer"}).json
    assert admin.patch(f"/v1/people/{ivy['id']}", {"name": "One"}).status_code == 200
    assert_too_many(admin.patch(f"/v1/people/{ivy['id']}", {"name": "Two"}))
    assert admin.get(f"/v1/people/{ivy['id']}").json["name"] == "One"
