"""Matches under load caps and panel requirements (SPEC §5) through the API and a real worker:
every reason, caps counted with the interviews already booked and with the match's own, and
a booked match filling caps that slots then respect."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from tests.api.conftest import Api, book, hours_from_now, next_hour, publish, span
from tests.api.test_matches import match


def _one_day_zone() -> str:
    """A zone in which the next two hours fall on one local day, whenever the test runs."""
    return next(zone for zone in ("UTC", "Asia/Tokyo")
                if next_hour(0).astimezone(ZoneInfo(zone)).date()
                == next_hour(1).astimezone(ZoneInfo(zone)).date())


def _capped(admin: Api, **caps: Any) -> dict[str, Any]:
    r = admin.patch(f"/v1/people/{(person := admin.person('interviewer'))['id']}", caps)
    assert r.status_code == 200, r.json
    return person


def _reasons(result: dict[str, Any]) -> dict[str, str]:
    return {u["candidate"]: u["reason"] for u in result["unscheduled"]}


def test_a_day_cap_used_up_by_the_match_itself_gives_cap_reached(admin: Api) -> None:
    ines = _capped(admin, max_interviews_per_day=1, time_zone=_one_day_zone())
    first, second = admin.person("candidate"), admin.person("candidate")
    publish(admin, ines, span(0, 2))
    publish(admin, first, span(0, 1))
    publish(admin, second, span(1, 2))
    result = match(admin, candidates=[first["id"], second["id"]])
    assert result["stats"]["scheduled"] == 1
    assert result["stats"]["optimal"] is True and result["stats"]["bound"] is None
    assert list(_reasons(result).values()) == ["cap_reached"]


def test_a_cap_used_up_by_a_booking_gives_cap_reached(admin: Api) -> None:
    ines = _capped(admin, max_interviews_per_week=1)
    booked, waiting = admin.person("candidate"), admin.person("candidate")
    for person in (ines, booked, waiting):
        publish(admin, person, span(0, 2))
    assert book(admin, booked, [ines], 0).status_code == 201
    result = match(admin, candidates=[waiting["id"]])
    assert result["interviews"] == []
    assert _reasons(result) == {waiting["id"]: "cap_reached"}


def test_every_panel_meets_the_requirements(admin: Api) -> None:
    plain = admin.person("interviewer")
    senior = admin.person("interviewer")
    assert admin.patch(f"/v1/people/{senior['id']}", {"tags": ["backend", "senior"]}
                       ).status_code == 200
    alone_with_plain, with_both = admin.person("candidate"), admin.person("candidate")
    publish(admin, plain, span(0, 2))
    publish(admin, senior, span(1, 2))
    publish(admin, alone_with_plain, span(0, 1))
    publish(admin, with_both, span(1, 2))
    result = match(admin, candidates=[alone_with_plain["id"], with_both["id"]],
                   requirements=[{"tags": ["backend"], "count": 1}])
    assert [(i["candidate"], i["start"], sorted(i["interviewers"]))
            for i in result["interviews"]] == [
        (with_both["id"], hours_from_now(1), sorted([plain["id"], senior["id"]]))]
    assert _reasons(result) == {alone_with_plain["id"]: "requirements"}


def test_a_booked_match_fills_caps_that_slots_then_respect(admin: Api) -> None:
    ines = _capped(admin, max_interviews_per_day=1, time_zone=_one_day_zone())
    first, second = admin.person("candidate"), admin.person("candidate")
    for person in (ines, first, second):
        publish(admin, person, span(0, 2))
    result = match(admin, candidates=[first["id"]], book=True)
    assert result["stats"]["scheduled"] == 1
    r = admin.get("/v1/slots", query_string={"candidate": second["id"],
                                             "interviewer": ines["id"],
                                             "from": hours_from_now(0), "to": hours_from_now(2)})
    assert r.json["slots"] == []


def test_requirements_that_break_a_rule_are_refused_before_queueing(admin: Api) -> None:
    window = {"from": hours_from_now(0), "to": hours_from_now(5)}
    for requirements, extra in [
        ([{"tags": ["backend"], "count": 3}], {"max_panel_size": 2}),
        ([{"tags": ["Backend"], "count": 1}], {}),
        ([{"tags": [], "count": 1}], {}),
        ([{"tags": ["backend"], "count": 0}], {}),
        ([{"tags": ["backend"], "count": "1"}], {}),
        ([{"tags": ["backend"]}], {}),
        ([{"tags": ["backend"], "count": 1, "extra": True}], {}),
        ([{"tags": [f"t{n}"], "count": 1} for n in range(9)], {}),
        ({"tags": ["backend"], "count": 1}, {}),
    ]:
        r = admin.post("/v1/matches", {**window, "requirements": requirements, **extra})
        assert r.status_code == 422, (requirements, r.json)
        assert r.content_type == "application/problem+json"
    assert admin.get("/v1/jobs").json["jobs"] == []
