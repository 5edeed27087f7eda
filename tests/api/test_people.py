"""People: create, list, get, delete, with the errors SPEC §3 names."""

from datetime import timedelta

from models import AvailabilityHour, Interview, InterviewParticipant, utcnow
from scheduling.hours import floor_hour
from tests.api.conftest import Api
from workers.queue.runtime import Runtime


def test_creating_a_person_returns_their_key_once(admin: Api) -> None:
    r = admin.post("/v1/people", {"name": "Ann", "email": "ann@example.com", "role": "interviewer"})
    assert r.status_code == 201
    assert set(r.json) == {"id", "name", "email", "role", "time_zone", "tags",
                           "max_interviews_per_day", "max_interviews_per_week", "api_key"}
    assert r.headers["Location"] == f"/v1/people/{r.json['id']}"
    again = admin.get(f"/v1/people/{r.json['id']}")
    assert again.json == {k: v for k, v in r.json.items() if k != "api_key"}


def test_email_is_unique_ignoring_case(admin: Api) -> None:
    admin.person("interviewer", email="Bo@Example.com")
    r = admin.post("/v1/people", {"name": "Bo", "email": "bo@example.COM", "role": "candidate"})
    assert r.status_code == 409
    assert r.content_type == "application/problem+json"


def test_invalid_fields_are_listed_in_a_422(admin: Api) -> None:
    r = admin.post("/v1/people", {"name": "", "email": "nope", "role": "admin"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json["errors"]}
    assert fields == {"name", "email", "role"}
    assert all(e["message"] for e in r.json["errors"])


def test_unknown_fields_are_refused(admin: Api) -> None:
    r = admin.post("/v1/people", {"name": "A", "email": "a@example.com", "role": "candidate",
                                  "admin": True})
    assert r.status_code == 422
    assert r.json["errors"][0]["field"] == "admin"


def test_malformed_json_is_400(admin: Api) -> None:
    r = admin.client.post("/v1/people", data=b'{"name": "A",',
                          headers={"Authorization": f"Bearer {admin.key}",
                                   "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.content_type == "application/problem+json"


def test_a_body_that_is_not_an_object_is_422(admin: Api) -> None:
    assert admin.post("/v1/people", ["a", "b"]).status_code == 422


def test_people_are_listed_by_role_in_pages(admin: Api) -> None:
    made = [admin.person("interviewer", name=f"I{i}") for i in range(5)]
    admin.person("candidate")
    seen, cursor = [], None
    while True:
        query = {"role": "interviewer", "limit": 2} | ({"cursor": cursor} if cursor else {})
        r = admin.get("/v1/people", query_string=query)
        assert r.status_code == 200
        assert len(r.json["people"]) <= 2
        seen += [p["id"] for p in r.json["people"]]
        cursor = r.json["next"]
        if cursor is None:
            break
    assert seen == [p["id"] for p in made]


def test_limit_out_of_bounds_is_422(admin: Api) -> None:
    for limit in ("0", "1001", "x"):
        r = admin.get("/v1/people", query_string={"limit": limit})
        assert r.status_code == 422, limit
        assert r.json["errors"][0]["field"] == "limit"


def test_a_forged_cursor_is_422(admin: Api) -> None:
    assert admin.get("/v1/people", query_string={"cursor": "bm9wZQ"}).status_code == 422


def test_an_unknown_person_is_404_naming_it(admin: Api) -> None:
    for ident in ("6d0c1a3e-58a4-4e0b-9a57-1b7d6f1f7c11", "not-an-id"):
        r = admin.get(f"/v1/people/{ident}")
        assert r.status_code == 404
        assert ident in r.json["detail"]


def test_a_candidate_sees_interviewers_and_itself_only(admin: Api) -> None:
    interviewer = admin.person("interviewer")
    me = admin.person("candidate", name="Me")
    other = admin.person("candidate", name="Other")
    as_me = admin.as_key(me["api_key"])
    listed = {p["id"] for p in as_me.get("/v1/people").json["people"]}
    assert listed == {interviewer["id"], me["id"]}
    assert as_me.get(f"/v1/people/{other['id']}").status_code == 404


def test_deleting_a_person_removes_them(admin: Api) -> None:
    person = admin.person("candidate")
    assert admin.delete(f"/v1/people/{person['id']}").status_code == 204
    assert admin.get(f"/v1/people/{person['id']}").status_code == 404
    assert admin.as_key(person["api_key"]).get("/v1/people").status_code == 401


def test_a_person_with_an_interview_ahead_cannot_be_deleted(admin: Api,
                                                            runtime: Runtime) -> None:
    candidate = admin.person("candidate")
    interviewer = admin.person("interviewer")
    start = floor_hour(utcnow(), runtime.settings.tz) + timedelta(days=1)
    with runtime.sessions.begin() as session:
        interview = Interview(candidate_id=candidate["id"], start=start,
                              end=start + timedelta(hours=1))
        session.add(interview)
        for person in (candidate, interviewer):
            session.add(AvailabilityHour(person_id=person["id"], start=start,
                                         role=person["role"]))
        session.flush()
        for person in (candidate, interviewer):
            session.add(InterviewParticipant(interview_id=interview.id, person_id=person["id"],
                                             start=start))
    r = admin.delete(f"/v1/people/{interviewer['id']}")
    assert r.status_code == 409
    assert admin.get(f"/v1/people/{interviewer['id']}").status_code == 200
