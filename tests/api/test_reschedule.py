"""Interview titles and PATCH /v1/interviews/{id} (SPEC §5): moves, panel and title changes,
what the .ics feeds then say, the rules, and concurrent changes on PostgreSQL."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from icalendar import Calendar, Event

from models import AvailabilityHour
from scheduling.hours import HOUR
from tests.api.conftest import Api, Embedded, book, hours_from_now, next_hour, publish, span

Person = dict[str, Any]


def trio(admin: Api, hours: int = 4) -> tuple[Person, Person, Person]:
    people = (admin.person("candidate", "Cam"), admin.person("interviewer", "Ann"),
              admin.person("interviewer", "Bo"))
    for person in people:
        publish(admin, person, span(0, hours))
    return people


def patch(api: Api, interview: Person, body: dict[str, Any]) -> Any:
    return api.patch(f"/v1/interviews/{interview['id']}", body, content_type="application/json")


def event(api: Api, person: Person, interview: Person) -> Event:
    """The interview's VEVENT in the person's feed."""
    feed = Calendar.from_ical(api.get(f"/v1/people/{person['id']}/interviews.ics").data)
    [found] = [e for e in feed.walk("VEVENT") if str(e["uid"]).startswith(interview["id"])]
    return found


def booked_hours(api: Api, person: Person) -> list[dict[str, str]]:
    got: list[dict[str, str]] = api.get(f"/v1/people/{person['id']}/availability").json["booked"]
    return got


def hours_of(ranges: list[dict[str, str]]) -> set[str]:
    """The starts of the hours in the ranges, as the API writes them."""
    out = set()
    for r in ranges:
        hour = datetime.fromisoformat(r["start"])
        while hour < datetime.fromisoformat(r["end"]):
            out.add(hour.isoformat().replace("+00:00", "Z"))
            hour += HOUR
    return out


def test_a_title_is_answered_and_is_the_summary_in_every_feed(admin: Api) -> None:
    cand, ann, bo = trio(admin)
    titled = admin.post("/v1/interviews", {"candidate": cand["id"], "interviewers": [ann["id"]],
                                           "start": hours_from_now(0), "title": " Systems  "})
    assert titled.status_code == 201, titled.json
    assert titled.json["title"] == "Systems"
    plain = book(admin, cand, [bo], 1).json
    assert plain["title"] is None and admin.get(f"/v1/interviews/{plain['id']}").json == plain

    for person in (cand, ann):
        assert str(event(admin, person, titled.json)["summary"]) == "Systems"
    assert str(event(admin, bo, plain)["summary"]) == "Interview: Cam"
    assert str(event(admin, cand, plain)["summary"]) == "Interview"


@pytest.mark.parametrize("title", ["", "x" * 201, "two\nlines", "bell\x07", 7])
def test_a_title_breaking_the_rules_of_a_name_is_422(admin: Api, title: object) -> None:
    cand, ann, _ = trio(admin)
    r = admin.post("/v1/interviews", {"candidate": cand["id"], "interviewers": [ann["id"]],
                                      "start": hours_from_now(0), "title": title})
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "title", r.json
    interview = book(admin, cand, [ann], 0).json
    assert patch(admin, interview, {"title": title}).status_code == 422
    assert admin.get(f"/v1/interviews/{interview['id']}").json == interview


def test_a_move_answers_the_moved_interview_and_frees_the_old_hour(admin: Api) -> None:
    cand, ann, bo = trio(admin)
    interview = book(admin, cand, [ann, bo], 0).json

    r = patch(admin, interview, {"start": hours_from_now(2), "title": "Moved"})

    assert r.status_code == 200, r.json
    assert r.json == {**interview, "start": hours_from_now(2), "end": hours_from_now(3),
                      "title": "Moved"}
    assert admin.get(f"/v1/interviews/{interview['id']}").json == r.json
    assert booked_hours(admin, ann) == [span(2, 3)]
    slots = admin.get("/v1/slots", query_string={"candidate": cand["id"],
                                                 "interviewer": ann["id"]}).json["slots"]
    assert [s["start"] for s in slots] == [hours_from_now(h) for h in (0, 1, 3)]
    assert book(admin, cand, [ann, bo], 0).status_code == 201


def test_a_move_where_someone_is_not_free_is_409_naming_them_and_changes_nothing(
        admin: Api) -> None:
    cand, ann, bo = trio(admin)
    late = admin.person("interviewer", "Late")
    publish(admin, late, span(0, 1))
    other = admin.person("candidate")
    publish(admin, other, span(0, 4))
    interview = book(admin, cand, [ann], 0).json
    assert book(admin, other, [bo], 1).status_code == 201

    for body, who in (({"start": hours_from_now(1), "interviewers": [ann["id"], bo["id"]]}, bo),
                      ({"start": hours_from_now(2), "interviewers": [late["id"]]}, late),
                      ({"start": hours_from_now(5)}, cand)):
        r = patch(admin, interview, {**body, "title": "never"})
        assert r.status_code == 409, r.json
        assert who["id"] in r.json["detail"]
        assert admin.get(f"/v1/interviews/{interview['id']}").json == interview
    assert booked_hours(admin, ann) == [span(0, 1)]
    assert str(event(admin, ann, interview)["sequence"]) == "0"


def test_a_panel_change_keeps_the_hour(admin: Api) -> None:
    cand, ann, bo = trio(admin)
    interview = book(admin, cand, [ann], 1).json

    r = patch(admin, interview, {"interviewers": [bo["id"]]})

    assert r.status_code == 200, r.json
    assert r.json == {**interview, "interviewers": [bo["id"]]}
    assert booked_hours(admin, ann) == [] and booked_hours(admin, bo) == [span(1, 2)]
    assert admin.get(f"/v1/people/{ann['id']}/interviews.ics").status_code == 200
    assert str(event(admin, bo, interview)["sequence"]) == "1"


def test_the_feed_keeps_the_uid_and_raises_the_sequence_with_each_change(admin: Api) -> None:
    """A title-only change raises it too: the event the feed shows changed (its SUMMARY)."""
    cand, ann, _ = trio(admin)
    interview = book(admin, cand, [ann], 0).json
    first = event(admin, ann, interview)
    assert str(first["sequence"]) == "0"
    assert first.decoded("dtstamp") == first.decoded("last-modified") == first.decoded("created")

    assert patch(admin, interview, {"start": hours_from_now(1)}).status_code == 200
    assert patch(admin, interview, {"title": "Renamed"}).status_code == 200
    assert patch(admin, interview, {"title": "Renamed",
                                    "start": hours_from_now(1)}).status_code == 200  # no change

    moved = event(admin, ann, interview)
    assert str(moved["uid"]) == str(first["uid"])
    assert str(moved["sequence"]) == "2" and str(moved["summary"]) == "Renamed"
    assert moved.decoded("dtstart") == next_hour(1)
    assert moved.decoded("created") == first.decoded("created")
    # (to the second: the worker tests see the change's own time)
    assert moved.decoded("dtstamp") == moved.decoded("last-modified") >= first.decoded("dtstamp")


@pytest.mark.parametrize("body", [
    {}, {"override_caps": True}, {"room": "B"}, {"start": None}, {"interviewers": None},
    {"interviewers": []}, {"start": "2030-01-01T10:30:00Z"}, {"start": "2000-01-01T10:00:00Z"},
    {"title": "x", "override_caps": "yes"}])
def test_a_patch_breaking_a_rule_is_422_and_changes_nothing(admin: Api,
                                                            body: dict[str, Any]) -> None:
    cand, ann, _ = trio(admin)
    interview = book(admin, cand, [ann], 0).json
    r = patch(admin, interview, body)
    assert r.status_code == 422, r.json
    assert admin.get(f"/v1/interviews/{interview['id']}").json == interview


def test_the_new_panel_must_be_interviewers_named_once(admin: Api) -> None:
    cand, ann, bo = trio(admin)
    interview = book(admin, cand, [ann], 0).json
    for panel, field in (([bo["id"], bo["id"]], "interviewers"),
                         ([ann["id"], cand["id"]], "interviewers[1]")):
        r = patch(admin, interview, {"interviewers": panel})
        assert r.status_code == 422 and r.json["errors"][0]["field"] == field, r.json
    r = patch(admin, interview, {"interviewers": [str(uuid.uuid4())]})
    assert r.status_code == 404
    assert patch(admin, {"id": "nothing"}, {"title": "x"}).status_code == 404
    assert admin.patch(f"/v1/interviews/{interview['id']}", {"title": "x"},
                       content_type="text/plain").status_code == 415
    assert admin.get(f"/v1/interviews/{interview['id']}").json == interview


def test_override_caps_is_taken_with_a_move(admin: Api) -> None:
    cand, ann, _ = trio(admin)
    interview = book(admin, cand, [ann], 0).json
    r = patch(admin, interview, {"start": hours_from_now(1), "override_caps": True})
    assert r.status_code == 200 and r.json["start"] == hours_from_now(1), r.json


def test_concurrent_changes_of_one_interview_take_turns(admin: Api) -> None:
    """Each request applies in full, one after the other: the interview ends as one of them
    left it, every person in one seat, and the SEQUENCE counts every move."""
    cand, ann, bo = trio(admin, 10)
    interview = book(admin, cand, [ann], 0).json
    moves = [{"start": hours_from_now(h), "interviewers": [[ann["id"]], [bo["id"]]][h % 2],
              "title": f"move {h}"} for h in range(1, 9)]

    def attempt(body: dict[str, Any]) -> Any:
        return patch(Api(admin.client.application.test_client(), admin.key), interview, body)

    with ThreadPoolExecutor(len(moves)) as pool:
        answers = list(pool.map(attempt, moves))

    assert [r.status_code for r in answers] == [200] * len(moves)
    final = admin.get(f"/v1/interviews/{interview['id']}").json
    assert final in [r.json for r in answers]
    panel = {p: admin.get("/v1/people/" + p).json for p in final["interviewers"]}
    for person in (cand, *panel.values()):
        assert booked_hours(admin, person) == [{"start": final["start"], "end": final["end"]}]
    left = ({ann["id"], bo["id"]} - set(panel)).pop()
    assert booked_hours(admin, {"id": left}) == []
    assert str(event(admin, cand, interview)["sequence"]) == str(len(moves))


def test_interviews_moved_at_once_into_one_hour_of_a_shared_person_leave_one_winner(
        admin: Api) -> None:
    shared = admin.person("interviewer", "Shared")
    publish(admin, shared, span(0, 9))
    interviews = []
    for hour in range(8):
        cand = admin.person("candidate")
        publish(admin, cand, span(0, 9))
        interviews.append(book(admin, cand, [shared], hour).json)

    def attempt(interview: Person) -> int:
        api = Api(admin.client.application.test_client(), admin.key)
        return int(patch(api, interview, {"start": hours_from_now(8)}).status_code)

    with ThreadPoolExecutor(len(interviews)) as pool:
        statuses = list(pool.map(attempt, interviews))

    assert sorted(statuses) == [200] + [409] * (len(interviews) - 1)
    for interview, status in zip(interviews, statuses, strict=True):
        now = admin.get(f"/v1/interviews/{interview['id']}").json
        assert now == ({**interview, "start": hours_from_now(8), "end": hours_from_now(9)}
                       if status == 200 else interview)
    moved_from = interviews[statuses.index(200)]["start"]
    assert hours_of(booked_hours(admin, shared)) == {
        hours_from_now(h) for h in range(9)} - {moved_from}


def test_a_move_works_on_sqlite_too(embedded: Embedded) -> None:
    api = Api(embedded.client, embedded.key)
    cand, ann, bo = (api.person(role) for role in ("candidate", "interviewer", "interviewer"))
    with embedded.runtime.sessions.begin() as session:  # no worker here: hours written as is
        session.add_all(AvailabilityHour(person_id=uuid.UUID(p["id"]), start=next_hour(h),
                                         role=p["role"])
                        for p in (cand, ann, bo) for h in range(2 if p is bo else 3))
    interview = book(api, cand, [ann], 0).json

    r = patch(api, interview, {"start": hours_from_now(1), "interviewers": [ann["id"], bo["id"]],
                               "title": "On SQLite"})
    assert r.status_code == 200, r.json
    assert patch(api, interview, {"start": hours_from_now(2)}).status_code == 409
    assert api.get(f"/v1/interviews/{interview['id']}").json == r.json
    assert str(event(api, bo, interview)["summary"]) == "On SQLite"
    assert book(api, cand, [ann], 0).status_code == 201
