"""Weekly hours over HTTP: PUT/GET/DELETE, validation, who may, and the hours they offer."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduling.weekly import DAYS
from tests.api.conftest import Api, Embedded, book, hours_from_now, publish, span

ALL_WEEK = {"days": {day: [{"start": "00:00", "end": "24:00"}] for day in DAYS}}
FORTY_HOURS = {"days": {day: [{"start": "09:00", "end": "17:00"}] for day in DAYS[:5]}}


def path(person: dict[str, Any]) -> str:
    return f"/v1/people/{person['id']}/weekly-hours"


def window(first: int, last: int) -> str:
    return f"from={hours_from_now(first)}&to={hours_from_now(last)}"


def test_put_answers_the_stored_template_merged_and_get_reads_it(admin: Api) -> None:
    person = admin.person("interviewer")
    r = admin.put(path(person), {"days": {"mon": [{"start": "13:00", "end": "17:00"},
                                                  {"start": "09:00", "end": "12:00"},
                                                  {"start": "11:00", "end": "13:00"}],
                                          "fri": [{"start": "22:00", "end": "24:00"}],
                                          "sat": []}})
    assert r.status_code == 200, r.json
    stored = {"days": {"mon": [{"start": "09:00", "end": "17:00"}],
                       "fri": [{"start": "22:00", "end": "24:00"}]}}
    assert r.json == stored
    assert admin.get(path(person)).json == stored


def test_a_person_without_weekly_hours_has_an_empty_template(admin: Api) -> None:
    assert admin.get(path(admin.person("candidate"))).json == {"days": {}}


def test_delete_removes_the_template_and_its_hours(admin: Api) -> None:
    person = admin.person("interviewer")
    assert admin.put(path(person), ALL_WEEK).status_code == 200
    assert admin.delete(path(person)).status_code == 204
    assert admin.get(path(person)).json == {"days": {}}
    got = admin.get(f"/v1/people/{person['id']}/availability?{window(0, 48)}")
    assert got.json == {"ranges": [], "booked": [], "busy": []}
    assert admin.delete(path(person)).status_code == 204  # none: still done


def test_weekly_hours_show_in_the_availability_as_ranges(admin: Api) -> None:
    person = admin.person("interviewer")
    admin.put(path(person), ALL_WEEK)
    got = admin.get(f"/v1/people/{person['id']}/availability?{window(0, 48)}")
    assert got.json == {"ranges": [span(0, 48)], "booked": [], "busy": []}


def test_weekly_hours_are_free_for_slots_and_bookings(admin: Api) -> None:
    candidate, interviewer = admin.person("candidate"), admin.person("interviewer")
    admin.put(path(candidate), ALL_WEEK)
    admin.put(path(interviewer), ALL_WEEK)
    slots = admin.get(f"/v1/slots?candidate={candidate['id']}&interviewer={interviewer['id']}"
                      f"&{window(0, 3)}")
    assert [s["start"] for s in slots.json["slots"]] == [hours_from_now(h) for h in range(3)]
    assert book(admin, candidate, [interviewer], 1).status_code == 201
    assert admin.delete(path(interviewer)).status_code == 204
    got = admin.get(f"/v1/people/{interviewer['id']}/availability?{window(0, 3)}")
    # a booked hour stays
    assert got.json == {"ranges": [span(1, 2)], "booked": [span(1, 2)], "busy": []}


def test_hours_added_by_hand_outlive_the_template(admin: Api) -> None:
    person = admin.person("interviewer")
    assert admin.put(path(person), ALL_WEEK).status_code == 200
    publish(admin, person, span(2, 4))
    admin.delete(path(person))
    got = admin.get(f"/v1/people/{person['id']}/availability?{window(0, 48)}")
    assert got.json["ranges"] == [span(2, 4)]


def test_a_removed_weekly_hour_stays_removed_when_the_template_is_set_again(
        admin: Api) -> None:
    person = admin.person("interviewer")
    admin.put(path(person), ALL_WEEK)
    r = admin.post(f"/v1/people/{person['id']}/availability:remove", {"ranges": [span(3, 4)]},
                   headers={"Prefer": "wait=10"})
    assert r.json["status"] == "succeeded" and r.json["result"]["removed"] == 1
    admin.put(path(person), ALL_WEEK)
    got = admin.get(f"/v1/people/{person['id']}/availability?{window(0, 6)}")
    assert got.json["ranges"] == [span(0, 3), span(4, 6)]


@pytest.mark.parametrize(("days", "field"), [
    ({"someday": []}, "days.someday"),
    ({"mon": [{"start": "09:30", "end": "12:00"}]}, "days.mon[0].start"),
    ({"mon": [{"start": "9:00", "end": "12:00"}]}, "days.mon[0].start"),
    ({"mon": [{"start": "12:00", "end": "12:00"}]}, "days.mon[0]"),
    ({"mon": [{"start": "13:00", "end": "12:00"}]}, "days.mon[0]"),
    ({"mon": [{"start": "24:00", "end": "24:00"}]}, "days.mon[0]"),
    ({"mon": [{"start": "00:00", "end": "25:00"}]}, "days.mon[0].end"),
    ({"mon": [{"start": "09:00"}]}, "days.mon[0].end"),
    ({"mon": [{"start": "09:00", "end": "10:00", "note": "x"}]}, "days.mon[0].note"),
    ({"mon": [{"start": "09:00", "end": "10:00"}] * 25}, "days.mon"),
    ({"mon": {"start": "09:00", "end": "10:00"}}, "days.mon"),
])
def test_a_template_that_breaks_a_rule_is_refused_with_422(admin: Api, days: dict[str, Any],
                                                           field: str) -> None:
    person = admin.person("interviewer")
    r = admin.put(path(person), {"days": days})
    assert r.status_code == 422, r.json
    assert field in [e["field"] for e in r.json["errors"]], r.json
    assert admin.get(path(person)).json == {"days": {}}


def test_a_body_without_days_is_refused(admin: Api) -> None:
    person = admin.person("interviewer")
    assert admin.put(path(person), {}).status_code == 422
    assert admin.put(path(person), [1]).status_code == 422


def test_people_set_their_own_weekly_hours_only(admin: Api) -> None:
    me, other = admin.person("interviewer"), admin.person("candidate")
    as_me = admin.as_key(me["api_key"])
    assert as_me.put(path(me), FORTY_HOURS).status_code == 200
    assert as_me.get(path(me)).json == admin.get(path(me)).json
    assert as_me.put(path(other), FORTY_HOURS).status_code == 403
    assert as_me.delete(path(other)).status_code == 403
    assert admin.get(path(other)).json == {"days": {}}


def test_a_candidate_may_not_read_another_candidates_weekly_hours(admin: Api) -> None:
    me, other = admin.person("candidate"), admin.person("candidate")
    interviewer = admin.person("interviewer")
    as_me = admin.as_key(me["api_key"])
    assert as_me.get(path(other)).status_code == 404
    assert as_me.get(path(interviewer)).status_code == 200


def test_weekly_hours_of_nobody_are_404(admin: Api) -> None:
    nobody = {"id": "00000000-0000-4000-8000-000000000000"}
    assert admin.put(path(nobody), FORTY_HOURS).status_code == 404
    assert admin.get(path(nobody)).status_code == 404
    assert admin.delete(path(nobody)).status_code == 404


def test_putting_a_forty_hour_week_is_quick(admin: Api,
                                            figures: Callable[[str], None]) -> None:
    person = admin.person("interviewer")
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        assert admin.put(path(person), FORTY_HOURS).status_code == 200
        timings.append(time.perf_counter() - began)
    got = admin.get(f"/v1/people/{person['id']}/availability?{window(-1, 365 * 24)}")
    rows = sum((datetime.fromisoformat(r["end"]) - datetime.fromisoformat(r["start"]))
               // timedelta(hours=1) for r in got.json["ranges"])
    assert 2070 <= rows <= 2090  # 52 weeks of 40 hours, give or take a part week
    best = min(timings)
    figures(f"weekly hours: PUT of a 40-hour week = {rows} rows, best of 5 "
            f"{best * 1000:.0f} ms (PostgreSQL), first {timings[0] * 1000:.0f} ms")
    assert best < 5.0  # generous: a noisy 2-core machine


def test_weekly_hours_work_on_sqlite_too(embedded: Embedded) -> None:
    api = Api(embedded.client, embedded.key)
    person = api.person("interviewer")
    assert api.put(path(person), ALL_WEEK).status_code == 200
    got = api.get(f"/v1/people/{person['id']}/availability?{window(0, 48)}")
    assert got.json == {"ranges": [span(0, 48)], "booked": [], "busy": []}
    assert api.delete(path(person)).status_code == 204
    assert api.get(f"/v1/people/{person['id']}/availability?{window(0, 48)}").json == {
        "ranges": [], "booked": [], "busy": []}


def _offered_utc_hours(admin: Api, person: dict[str, Any], day: str) -> list[int]:
    """The UTC hours of `day` (a date, YYYY-MM-DD) the person is offered."""
    got = admin.get(f"/v1/people/{person['id']}/availability"
                    f"?from={day}T00:00:00Z&to={day}T23:00:00Z").json
    hours: list[int] = []
    for r in got["ranges"]:
        first = datetime.fromisoformat(r["start"])
        count = (datetime.fromisoformat(r["end"]) - first) // timedelta(hours=1)
        hours += [(first + timedelta(hours=n)).hour for n in range(count)]
    return hours


def test_weekly_hours_are_read_in_the_person_s_zone_and_follow_a_change_of_it(
        admin: Api) -> None:
    """SPEC's example: 09:00–17:00 in Asia/Kolkata is 04:00–11:00 UTC (7 hours), with
    CALENDAR_TZ=UTC; patched to Europe/Berlin, the same template moves with Berlin's offset."""
    r = admin.post("/v1/people", {"name": "Ravi", "email": "ravi@example.com",
                                  "role": "interviewer", "time_zone": "Asia/Kolkata"})
    person = r.json
    every_day = {"days": {d: [{"start": "09:00", "end": "17:00"}] for d in DAYS}}
    assert admin.put(path(person), every_day).status_code == 200
    noon = (datetime.now(UTC) + timedelta(days=10)).replace(hour=12, minute=0, second=0,
                                                            microsecond=0)
    day = noon.date().isoformat()
    assert _offered_utc_hours(admin, person, day) == list(range(4, 11))
    patched = admin.patch(f"/v1/people/{person['id']}", {"time_zone": "Europe/Berlin"})
    assert patched.status_code == 200, patched.json
    offset = noon.astimezone(ZoneInfo("Europe/Berlin")).utcoffset() // timedelta(hours=1)
    assert _offered_utc_hours(admin, person, day) == list(range(9 - offset, 17 - offset))
    admin.patch(f"/v1/people/{person['id']}", {"time_zone": None})  # CALENDAR_TZ: UTC
    assert _offered_utc_hours(admin, person, day) == list(range(9, 17))
