"""A person's time zone, tags and load caps (SPEC §5 "People, continued"): stored, checked, in
every answer, and `GET /v1/people?tag=` answered by the database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import Api, Embedded
from workers.queue.runtime import Runtime

FIELDS = ("time_zone", "tags", "max_interviews_per_day", "max_interviews_per_week")


def new(api: Api, role: str = "interviewer", **fields: Any) -> Any:
    """POST /v1/people with `fields` added to a valid body; the answer."""
    body = {"name": "Pat", "email": f"pat.{uuid.uuid4().hex[:12]}@example.com", "role": role}
    return api.post("/v1/people", {**body, **fields})


def every_answer(api: Api, person: dict[str, Any]) -> list[dict[str, Any]]:
    """The person as GET one, the list and /v1/me (with their own key) give it."""
    listed = [p for p in api.get("/v1/people?limit=1000").json["people"]
              if p["id"] == person["id"]]
    return [api.get(f"/v1/people/{person['id']}").json, *listed,
            api.as_key(person["api_key"]).get("/v1/me").json]


def test_an_interviewer_is_created_with_a_zone_tags_and_caps(admin: Api) -> None:
    r = new(admin, time_zone="Asia/Kolkata", tags=["senior", "lang:go", "backend", "senior"],
            max_interviews_per_day=4, max_interviews_per_week=12)
    assert r.status_code == 201, r.json
    expected = {"time_zone": "Asia/Kolkata", "tags": ["backend", "lang:go", "senior"],
                "max_interviews_per_day": 4, "max_interviews_per_week": 12}
    assert {k: r.json[k] for k in FIELDS} == expected
    answers = every_answer(admin, r.json)
    assert len(answers) == 3
    assert all({k: a[k] for k in FIELDS} == expected for a in answers), answers


def test_without_them_a_person_reads_the_calendar_zone_no_tags_and_no_caps(
        admin: Api, runtime: Runtime) -> None:
    default = {"time_zone": runtime.settings.calendar_tz, "tags": [],
               "max_interviews_per_day": None, "max_interviews_per_week": None}
    for role in ("interviewer", "candidate"):
        r = new(admin, role)
        assert r.status_code == 201, r.json
        assert all({k: a[k] for k in FIELDS} == default
                   for a in [r.json, *every_answer(admin, r.json)]), role


@pytest.mark.parametrize(("fields", "field"), [
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"time_zone": "europe/berlin"}, "time_zone"),
    ({"time_zone": ""}, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone"),
    ({"tags": ["Backend"]}, "tags[0]"),
    ({"tags": ["ok", "has space"]}, "tags[1]"),
    ({"tags": [""]}, "tags[0]"),
    ({"tags": ["x" * 65]}, "tags[0]"),
    ({"tags": ["naïve"]}, "tags[0]"),
    ({"tags": "backend"}, "tags"),
    ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
    ({"max_interviews_per_day": 0}, "max_interviews_per_day"),
    ({"max_interviews_per_day": 25}, "max_interviews_per_day"),
    ({"max_interviews_per_day": "3"}, "max_interviews_per_day"),
    ({"max_interviews_per_day": True}, "max_interviews_per_day"),
    ({"max_interviews_per_week": 0}, "max_interviews_per_week"),
    ({"max_interviews_per_week": 169}, "max_interviews_per_week"),
    ({"max_interviews_per_week": 2.5}, "max_interviews_per_week"),
])
def test_each_invalid_field_is_a_422_naming_it(admin: Api, fields: dict[str, Any],
                                                field: str) -> None:
    r = new(admin, **fields)
    assert r.status_code == 422, r.json
    assert r.content_type == "application/problem+json"
    assert [e["field"] for e in r.json["errors"]] == [field]
    assert len(admin.get("/v1/people").json["people"]) == 0


def test_fifty_distinct_tags_are_accepted_and_duplicates_count_once(admin: Api) -> None:
    tags = [f"t{i:02}" for i in range(50)]
    r = new(admin, tags=tags + tags[:10])
    assert r.status_code == 201, r.json
    assert r.json["tags"] == tags


def test_the_caps_bounds_are_accepted(admin: Api) -> None:
    for day, week in ((1, 1), (24, 168)):
        r = new(admin, max_interviews_per_day=day, max_interviews_per_week=week)
        assert r.status_code == 201, r.json
        assert (r.json["max_interviews_per_day"], r.json["max_interviews_per_week"]) == (day, week)


def test_tags_or_caps_on_a_candidate_are_422_and_create_nobody(admin: Api) -> None:
    for fields in ({"tags": ["backend"]}, {"max_interviews_per_day": 2},
                   {"max_interviews_per_week": 5}):
        r = new(admin, "candidate", **fields)
        assert r.status_code == 422, (fields, r.json)
        assert [e["field"] for e in r.json["errors"]] == list(fields)
    assert admin.get("/v1/people").json["people"] == []
    empty = new(admin, "candidate", tags=[], max_interviews_per_day=None, time_zone="Europe/Paris")
    assert empty.status_code == 201, empty.json
    assert empty.json["tags"] == [] and empty.json["time_zone"] == "Europe/Paris"


def tagged(api: Api, name: str, *tags: str) -> str:
    r = api.post("/v1/people", {"name": name, "email": f"{name}@example.com",
                                "role": "interviewer", "tags": list(tags)})
    assert r.status_code == 201, r.json
    return str(r.json["id"])


def listed(api: Api, query: str) -> list[str]:
    """Every name the list gives for `query`, one person a page."""
    names, cursor = [], None
    while True:
        r = api.get(f"/v1/people?{query}&limit=1" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.json
        assert len(r.json["people"]) <= 1
        names += [p["name"] for p in r.json["people"]]
        cursor = r.json["next"]
        if cursor is None:
            return names


def test_people_are_listed_by_every_tag_given_in_pages(admin: Api) -> None:
    tagged(admin, "ann", "backend", "senior", "lang:go")
    tagged(admin, "bob", "backend")
    tagged(admin, "cat", "senior", "backend")
    tagged(admin, "dan", "senior")
    tagged(admin, "eve")
    admin.person("candidate", name="cid")
    assert listed(admin, "tag=backend") == ["ann", "bob", "cat"]
    assert listed(admin, "tag=backend&tag=senior") == ["ann", "cat"]
    assert listed(admin, "tag=senior&tag=backend&tag=senior") == ["ann", "cat"]
    assert listed(admin, "tag=backend&tag=senior&tag=lang:go") == ["ann"]
    assert listed(admin, "tag=backend&role=interviewer") == ["ann", "bob", "cat"]
    assert listed(admin, "tag=backend&role=candidate") == []
    assert listed(admin, "tag=nobody") == []


def test_a_malformed_tag_in_the_query_is_422(admin: Api) -> None:
    for query in ("tag=Backend", "tag=ok&tag=has%20space", "tag=" + "x" * 65, "tag="):
        r = admin.get(f"/v1/people?{query}")
        assert r.status_code == 422, (query, r.json)
        assert r.json["errors"][0]["field"].startswith("tag"), r.json
    many = "&".join(f"tag=t{i}" for i in range(51))
    assert admin.get(f"/v1/people?{many}").status_code == 422


def test_a_deleted_person_takes_their_tags_along(admin: Api) -> None:
    gone = tagged(admin, "gus", "backend")
    assert admin.delete(f"/v1/people/{gone}").status_code == 204
    assert listed(admin, "tag=backend") == []
    again = tagged(admin, "gus2", "backend")
    assert admin.get("/v1/people?tag=backend").json["people"][0]["id"] == again


def test_embedded_sqlite_stores_filters_and_patches_the_fields(embedded: Embedded) -> None:
    api = Api(embedded.client, embedded.key)
    ann = tagged(api, "ann", "backend", "senior")
    tagged(api, "bob", "backend")
    assert listed(api, "tag=senior&tag=backend") == ["ann"]
    r = api.patch(f"/v1/people/{ann}", {"time_zone": "America/New_York", "tags": None,
                                        "max_interviews_per_week": 168})
    assert r.status_code == 200, r.json
    assert {k: r.json[k] for k in FIELDS} == {
        "time_zone": "America/New_York", "tags": [], "max_interviews_per_day": None,
        "max_interviews_per_week": 168}
    assert listed(api, "tag=senior") == []
    assert api.get(f"/v1/people/{ann}").json == r.json


def test_a_name_or_an_email_cannot_be_cleared(admin: Api) -> None:
    person = new(admin).json
    for field in ("name", "email"):
        r = admin.patch(f"/v1/people/{person['id']}", {field: None})
        assert r.status_code == 422, r.json
        assert "cannot be cleared" in r.json["detail"]
    assert admin.get(f"/v1/people/{person['id']}").json["name"] == person["name"]
