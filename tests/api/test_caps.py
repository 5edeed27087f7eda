"""Load caps (SPEC §5): a capped interviewer leaves slots for the rest of their own day or week,
a booking past a cap is 409 unless overridden, and a cancellation or a new cap opens it again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import Api, Embedded, publish


def _z(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local_monday(zone: str, weeks_ahead: int = 2) -> datetime:
    """Midnight of a Monday at least a week ahead, in `zone`."""
    today = datetime.now(ZoneInfo(zone)).date()
    monday = today + timedelta(days=7 * weeks_ahead - today.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=ZoneInfo(zone))


def _interviewer(admin: Api, zone: str, **caps: int) -> dict[str, Any]:
    r = admin.post("/v1/people", {"name": "Ines", "email": f"ines.{zone.lower()}.{id(caps)}"
                                  f"{datetime.now().timestamp()}@example.com",
                                  "role": "interviewer", "time_zone": zone, **caps})
    assert r.status_code == 201, r.json
    return r.json  # type: ignore[no-any-return]


def _offer(admin: Api, person: dict[str, Any], start: datetime, hours: int) -> None:
    publish(admin, person, {"start": _z(start), "end": _z(start + timedelta(hours=hours))})


def _book(admin: Api, candidate: dict[str, Any], interviewer: dict[str, Any], at: datetime,
          **extra: Any) -> Any:
    return admin.post("/v1/interviews", {"candidate": candidate["id"],
                                         "interviewers": [interviewer["id"]], "start": _z(at),
                                         **extra})


def _slot_starts(admin: Api, candidate: dict[str, Any], interviewer: dict[str, Any] | None,
                 start: datetime, end: datetime) -> list[str]:
    query = {"candidate": candidate["id"], "from": _z(start), "to": _z(end)}
    if interviewer is not None:
        query["interviewer"] = interviewer["id"]
    r = admin.get("/v1/slots", query_string=query)
    assert r.status_code == 200, r.json
    return [s["start"] for s in r.json["slots"]]


def test_an_interviewer_at_their_day_cap_leaves_the_slots_of_that_day(admin: Api) -> None:
    day = _local_monday("Asia/Tokyo") + timedelta(hours=9)
    ines = _interviewer(admin, "Asia/Tokyo", max_interviews_per_day=1)
    first, second = admin.person("candidate"), admin.person("candidate")
    for person in (ines, first, second):
        _offer(admin, person, day, 3)
        _offer(admin, person, day + timedelta(days=1), 1)
    assert _book(admin, first, ines, day).status_code == 201

    tomorrow = day + timedelta(days=1)
    assert _slot_starts(admin, second, ines, day, tomorrow + timedelta(hours=1)) == [_z(tomorrow)]
    assert _slot_starts(admin, second, None, day, tomorrow + timedelta(hours=1)) == [_z(tomorrow)]
    refused = _book(admin, second, ines, day + timedelta(hours=1))
    assert refused.status_code == 409
    assert "max_interviews_per_day" in refused.json["detail"] and ines["id"] in refused.json[
        "detail"]
    forced = _book(admin, second, ines, day + timedelta(hours=1), override_caps=True)
    assert forced.status_code == 201, forced.json


def test_cancelling_an_interview_opens_the_cap_again(admin: Api) -> None:
    day = _local_monday("Europe/Berlin") + timedelta(hours=10)
    ines = _interviewer(admin, "Europe/Berlin", max_interviews_per_day=1)
    first, second = admin.person("candidate"), admin.person("candidate")
    for person in (ines, first, second):
        _offer(admin, person, day, 2)
    booked = _book(admin, first, ines, day).json
    assert _slot_starts(admin, second, ines, day, day + timedelta(hours=2)) == []

    assert admin.delete(f"/v1/interviews/{booked['id']}").status_code == 204
    assert _slot_starts(admin, second, ines, day, day + timedelta(hours=2)) == [
        _z(day), _z(day + timedelta(hours=1))]


@pytest.mark.parametrize(("zone", "booked_at", "same_week", "next_week"), [
    # east of UTC: Monday 00:00 in Tokyo is Sunday 15:00 UTC; Sunday 23:00 there is last week
    ("Asia/Tokyo", timedelta(hours=0), timedelta(hours=1), timedelta(hours=-1)),
    # west of UTC: Sunday 23:00 in Los Angeles is Monday UTC, yet the week that ends there
    ("America/Los_Angeles", timedelta(days=6, hours=23), timedelta(days=6, hours=22),
     timedelta(days=7)),
])
def test_a_week_cap_counts_the_interviewers_own_monday_to_sunday(
        admin: Api, zone: str, booked_at: timedelta, same_week: timedelta,
        next_week: timedelta) -> None:
    monday = _local_monday(zone)
    ines = _interviewer(admin, zone, max_interviews_per_week=1)
    first, second = admin.person("candidate"), admin.person("candidate")
    hours = [monday + d for d in (booked_at, same_week, next_week)]
    for person in (ines, first, second):
        for at in hours:
            _offer(admin, person, at, 1)
    assert _book(admin, first, ines, hours[0]).status_code == 201

    window = (min(hours), max(hours) + timedelta(hours=1))
    assert _slot_starts(admin, second, ines, *window) == [_z(hours[2])]
    assert "max_interviews_per_week" in _book(admin, second, ines, hours[1]).json["detail"]
    assert _book(admin, second, ines, hours[2]).status_code == 201


def test_changing_caps_or_zone_counts_the_days_again(admin: Api) -> None:
    """Capped by a new cap, freed by clearing it; a zone moves where the day ends."""
    monday = _local_monday("UTC")
    ines = _interviewer(admin, "UTC")
    first, second = admin.person("candidate"), admin.person("candidate")
    booked_at, late = monday + timedelta(hours=10), monday + timedelta(hours=23)
    for person in (ines, first, second):
        _offer(admin, person, booked_at, 1)
        _offer(admin, person, late, 1)
    assert _book(admin, first, ines, booked_at).status_code == 201
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(days=1)) == [_z(late)]

    path = f"/v1/people/{ines['id']}"
    assert admin.patch(path, {"max_interviews_per_day": 1}).status_code == 200
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(days=1)) == []
    # in New York, 10:00 UTC is Monday and 23:00 UTC is Monday too; in Tokyo 23:00 UTC is Tuesday
    assert admin.patch(path, {"time_zone": "Asia/Tokyo"}).status_code == 200
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(days=1)) == [_z(late)]
    assert admin.patch(path, {"time_zone": "America/New_York"}).status_code == 200
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(days=1)) == []
    assert admin.patch(path, {"max_interviews_per_day": None}).status_code == 200
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(days=1)) == [_z(late)]


def test_concurrent_bookings_of_one_capped_interviewer_leave_one_winner(admin: Api) -> None:
    """Eight candidates at eight different hours of one day, one interview a day allowed."""
    day = _local_monday("UTC") + timedelta(hours=8)
    ines = _interviewer(admin, "UTC", max_interviews_per_day=1)
    _offer(admin, ines, day, 8)
    candidates = [admin.person("candidate") for _ in range(8)]
    for n, cand in enumerate(candidates):
        _offer(admin, cand, day + timedelta(hours=n), 1)

    def attempt(n: int) -> int:
        client = Api(admin.client.application.test_client(), admin.key)
        return int(_book(client, candidates[n], ines, day + timedelta(hours=n)).status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [201] + [409] * 7


def test_caps_work_on_sqlite_too(embedded: Embedded) -> None:
    api = Api(embedded.client, embedded.key)
    day = _local_monday("Asia/Tokyo") + timedelta(hours=9)
    ines = _interviewer(api, "Asia/Tokyo", max_interviews_per_day=1)
    first, second = api.person("candidate"), api.person("candidate")
    all_week = {"days": {d: [{"start": "00:00", "end": "24:00"}]
                         for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
    for person in (ines, first, second):
        assert api.put(f"/v1/people/{person['id']}/weekly-hours", all_week).status_code == 200
    booked = _book(api, first, ines, day).json

    assert _slot_starts(api, second, ines, day, day + timedelta(hours=2)) == []
    tomorrow = day + timedelta(days=1)
    assert _slot_starts(api, second, ines, tomorrow, tomorrow + timedelta(hours=1)) == [
        _z(tomorrow)]
    assert "max_interviews_per_day" in _book(api, second, ines, day + timedelta(hours=1)).json[
        "detail"]
    assert api.delete(f"/v1/interviews/{booked['id']}").status_code == 204
    assert len(_slot_starts(api, second, ines, day, day + timedelta(hours=2))) == 2


def test_a_move_counts_caps_at_the_new_hour_without_the_interview_itself(admin: Api) -> None:
    monday = _local_monday("Europe/Berlin") + timedelta(hours=9)
    tuesday = monday + timedelta(days=1)
    ines = _interviewer(admin, "Europe/Berlin", max_interviews_per_day=1)
    first, second = admin.person("candidate"), admin.person("candidate")
    for person in (ines, first, second):
        _offer(admin, person, monday, 2)
        _offer(admin, person, tuesday, 2)
    moving = _book(admin, first, ines, monday).json
    assert _book(admin, second, ines, tuesday).status_code == 201
    path = f"/v1/interviews/{moving['id']}"

    later_that_day = admin.patch(path, {"start": _z(monday + timedelta(hours=1))},
                                 content_type="application/json")
    assert later_that_day.status_code == 200, later_that_day.json
    to_tuesday = admin.patch(path, {"start": _z(tuesday + timedelta(hours=1))},
                             content_type="application/json")
    assert to_tuesday.status_code == 409
    assert "max_interviews_per_day" in to_tuesday.json["detail"]
    assert admin.get(path).json["start"] == _z(monday + timedelta(hours=1))
    forced = admin.patch(path, {"start": _z(tuesday + timedelta(hours=1)),
                                "override_caps": True}, content_type="application/json")
    assert forced.status_code == 200, forced.json
    # Monday is open again: the move took the interview, and its cap place, away
    assert _slot_starts(admin, second, ines, monday, monday + timedelta(hours=2)) == [
        _z(monday), _z(monday + timedelta(hours=1))]
