"""Hostile input: it is refused with a 4xx problem, or stored and returned as plain data.

Oversized bodies and deep nesting are in test_conventions.py; year 1 to year 9999 in an
availability range is in test_availability.py.
"""

import time

from icalendar import Calendar
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from api import pagination
from api.schemas import MAX_RANGES
from models import ApiKey, Job, Person
from tests.api.conftest import Api, book, hours_from_now, publish, span
from workers.queue.runtime import Runtime

SQL = ["' OR '1'='1", "1; DROP TABLE people;--", "x' UNION SELECT key_hash FROM api_keys--",
       "%' OR 1=1 --", "\\'; SELECT pg_sleep(10);--"]


def _counts(runtime: Runtime) -> tuple[int, ...]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                     for model in (Person, ApiKey, Job))


def _raw_post(api: Api, path: str, data: bytes) -> TestResponse:
    return api.client.post(path, data=data, headers={"Authorization": f"Bearer {api.key}",
                                                     "Content-Type": "application/json"})


def test_a_body_that_is_not_utf8_is_400(admin: Api, runtime: Runtime) -> None:
    before = _counts(runtime)
    for body in (b'{"name": "\xff\xfe", "email": "a@example.com", "role": "candidate"}',
                 b"\xc3\x28", b'{"name": "\xed\xa0\x80"}'):
        r = _raw_post(admin, "/v1/people", body)
        assert r.status_code == 400, (body, r.json)
        assert r.content_type == "application/problem+json"
        assert r.json["status"] == 400
    assert _counts(runtime) == before


def test_sql_looking_strings_are_only_data(admin: Api, runtime: Runtime) -> None:
    person = admin.person("interviewer")
    before = _counts(runtime)
    for text in SQL:
        assert admin.get(f"/v1/people/{text}").status_code == 404
        assert admin.get(f"/v1/jobs/{text}").status_code == 404
        assert admin.delete(f"/v1/interviews/{text}").status_code == 404
        assert admin.get("/v1/people", query_string={"role": text}).status_code == 422
        r = admin.get("/v1/jobs", query_string={"kind": text})
        assert r.status_code == 200 and r.json["jobs"] == []
        assert admin.get("/v1/slots", query_string={"candidate": text}).status_code == 404
        assert admin.get("/v1/people", query_string={"cursor": text}).status_code == 422
        assert admin.post("/v1/people", {"name": "A", "email": text,
                                         "role": "candidate"}).status_code == 422
        assert admin.post("/v1/interviews", {"candidate": text, "interviewers": [person["id"]],
                                             "start": hours_from_now(1)}).status_code == 404
    assert _counts(runtime) == before
    created = [admin.person("candidate", name=text, email=f"sql{n}@example.com")
               for n, text in enumerate(SQL)]
    for text, made in zip(SQL, created, strict=True):
        assert admin.get(f"/v1/people/{made['id']}").json["name"] == text
    assert _counts(runtime)[0] == before[0] + len(SQL)


def test_a_script_tag_in_a_name_is_returned_as_given_in_json(admin: Api) -> None:
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    created = admin.person("candidate", name=name, email="script@example.com")
    assert created["name"] == name
    r = admin.get(f"/v1/people/{created['id']}")
    assert r.content_type == "application/json"
    assert r.json["name"] == name
    listed = admin.get("/v1/people").json["people"]
    assert [p["name"] for p in listed] == [name]


def test_a_name_cannot_inject_lines_or_events_into_the_ics_feed(admin: Api) -> None:
    """A line break cannot enter a name (test_control_characters.py); iCalendar's own
    separators and escapes can, and stay text inside one property."""
    assert admin.post("/v1/people", {"name": "Eve\r\nEND:VEVENT", "role": "candidate",
                                     "email": "eve@example.com"}).status_code == 422
    name = "Eve END:VEVENT BEGIN:VEVENT SUMMARY:<script>alert(1)</script>;,\\"
    candidate = admin.person("candidate", name=name, email="eve.candidate@example.com")
    interviewer = admin.person("interviewer", name=name, email="eve.interviewer@example.com")
    for person in (candidate, interviewer):
        publish(admin, person, span(1, 2))
    assert book(admin, candidate, [interviewer], 1).status_code == 201

    r = admin.get(f"/v1/people/{interviewer['id']}/interviews.ics")
    feed = Calendar.from_ical(r.data)
    [event] = feed.walk("VEVENT")
    assert str(event["summary"]) == f"Interview: {name}"  # the whole name, one property
    lines = r.data.decode().replace("\r\n ", "").split("\r\n")  # unfolded content lines
    assert [line for line in lines if line.startswith(("BEGIN:", "END:"))] == [
        "BEGIN:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "END:VCALENDAR"]
    [calname] = [line for line in lines if line.startswith("X-WR-CALNAME:")]
    assert calname == ("X-WR-CALNAME:Interviews: Eve END:VEVENT BEGIN:VEVENT "
                       "SUMMARY:<script>alert(1)</script>\\;\\,\\\\")


def test_a_huge_list_of_ranges_is_422_at_once(admin: Api, runtime: Runtime) -> None:
    person = admin.person("interviewer")
    ranges = [span(0, 1)] * 200_000
    started = time.monotonic()
    r = admin.post(f"/v1/people/{person['id']}/availability", {"ranges": ranges})
    elapsed = time.monotonic() - started
    assert r.status_code == 422, r.json
    assert r.json["errors"][0]["field"] == "ranges"
    assert str(MAX_RANGES) in r.json["errors"][0]["message"]
    assert elapsed < 5, elapsed
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_absurd_dates_are_422_naming_the_field(admin: Api) -> None:
    candidate, interviewer = admin.person("candidate"), admin.person("interviewer")
    absurd = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00Z",
              "9999-12-31T23:00:00-05:00", "1e9", 1e9, "+1000000000-01-01T00:00:00Z"]
    for value in absurd:
        r = admin.post("/v1/interviews", {"candidate": candidate["id"],
                                          "interviewers": [interviewer["id"]], "start": value})
        assert r.status_code == 422, (value, r.json)
        assert r.json["errors"][0]["field"] == "start", (value, r.json)
        r = admin.post("/v1/matches", {"from": value, "to": hours_from_now(2)})
        assert r.status_code == 422, (value, r.json)
        assert r.json["errors"][0]["field"] in ("from", "to", "body"), (value, r.json)
        for field in ("from", "to"):
            r = admin.get("/v1/slots", query_string={"candidate": candidate["id"], field: value})
            assert r.status_code == 422, (value, r.json)
            assert r.json["errors"][0]["field"] == field, (value, r.json)


def test_forged_cursors_with_absurd_instants_are_422(admin: Api) -> None:
    candidate = admin.person("candidate")
    ident = "00000000-0000-0000-0000-000000000000"
    for stamp, status in (("9999-12-31T23:00:00+00:00", 422), ("0001-01-01T00:00:00+00:00", 422),
                          ("2030-01-01T00:00:00", 422), ("2030-01-01T00:00:00+14:00", 200)):
        r = admin.get("/v1/slots", query_string={"candidate": candidate["id"],
                                                 "cursor": pagination.encode([stamp])})
        assert r.status_code == status, (stamp, r.json)
        for path in ("/v1/people", "/v1/jobs", "/v1/interviews", "/v1/webhooks"):
            r = admin.get(path, query_string={"cursor": pagination.encode([stamp, ident])})
            assert r.status_code == status, (path, stamp, r.json)


def test_windows_of_millions_of_hours_are_422(admin: Api) -> None:
    candidate = admin.person("candidate")
    widest = {"from": "1970-01-01T00:00:00Z", "to": "8999-12-31T23:00:00Z"}
    r = admin.post("/v1/matches", widest)
    assert r.status_code == 422 and "366 days" in r.json["detail"], r.json
    r = admin.get("/v1/slots", query_string={"candidate": candidate["id"], **widest})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "to", r.json
    r = admin.get(f"/v1/people/{candidate['id']}/availability", query_string=widest)
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "to", r.json
    r = admin.post(f"/v1/people/{candidate['id']}/availability",
                   {"ranges": [{"start": hours_from_now(1), "end": 1e9 * 3600}]})
    assert r.status_code == 422 and r.json["errors"][0]["field"].startswith("ranges[0]"), r.json


def test_huge_query_parameters_are_422(admin: Api) -> None:
    for params in ({"limit": 10**30}, {"limit": "1e9"}, {"limit": -(10**30)},
                   {"cursor": "A" * 10_240}, {"kind": "k" * 10_240}):
        for path in ("/v1/people", "/v1/jobs", "/v1/webhooks", "/v1/interviews"):
            r = admin.get(path, query_string=params)
            if "kind" in params and path != "/v1/jobs":
                continue  # an unknown parameter is ignored
            assert r.status_code == 422, (path, params, r.json)
            assert r.json["errors"][0]["field"] == next(iter(params)), r.json


def test_a_body_nested_past_64_levels_is_400_before_it_is_parsed(admin: Api) -> None:
    """Brackets count wherever they are; 64 levels are parsed (and refused for their shape)."""
    for depth, status in ((64, 422), (65, 400), (10_000, 400)):
        body = "[" * depth + "]" * depth
        r = admin.client.post("/v1/people", data=body, content_type="application/json",
                              headers={"Authorization": f"Bearer {admin.key}"})
        assert r.status_code == status, (depth, r.json)
    nested_in_a_string = '{"name": "' + "[" * 100 + '"}'
    r = admin.client.post("/v1/people", data=nested_in_a_string, content_type="application/json",
                          headers={"Authorization": f"Bearer {admin.key}"})
    assert r.status_code == 400
