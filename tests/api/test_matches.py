"""POST /v1/matches: the guarantees of SPEC §4 Matches through the API and a real worker."""

from dataclasses import replace
from typing import Any

import pytest

from api.app import create_app
from tests.api.conftest import WAIT, Api, book, hours_from_now, publish, span
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime


def match(api: Api, **body: Any) -> dict[str, Any]:
    body.setdefault("from", hours_from_now(0))
    body.setdefault("to", hours_from_now(24))
    r = api.post("/v1/matches", body, headers=WAIT)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "succeeded", r.json
    return r.json["result"]  # type: ignore[no-any-return]


def test_a_match_schedules_everyone_it_can_and_says_why_not_the_rest(admin: Api) -> None:
    busy = admin.person("candidate", name="Busy")
    alone = admin.person("candidate", name="Alone")
    nobody_free = admin.person("candidate", name="Idle")
    late = admin.person("candidate", name="Late")
    interviewer = admin.person("interviewer")
    publish(admin, busy, span(0, 1))
    publish(admin, late, span(0, 1))
    publish(admin, alone, span(5, 6))
    publish(admin, interviewer, span(0, 1))
    result = match(admin, candidates=[busy["id"], alone["id"], nobody_free["id"], late["id"]])
    assert len(result["interviews"]) == 1
    scheduled = result["interviews"][0]["candidate"]
    assert scheduled in (busy["id"], late["id"])
    reasons = {u["candidate"]: u["reason"] for u in result["unscheduled"]}
    assert reasons == {alone["id"]: "no_interviewer", nobody_free["id"]: "no_free_hour",
                       ({busy["id"], late["id"]} - {scheduled}).pop(): "capacity"}
    assert result["stats"] == {"candidates": 4, "scheduled": 1, "min_panel": 1, "max_panel": 1,
                               "optimal": True, "bound": None}
    assert result["interviews"][0]["start"] == hours_from_now(0)
    assert result["interviews"][0]["end"] == hours_from_now(1)
    assert "id" not in result["interviews"][0]


def test_the_greedy_trap_is_avoided_and_panels_are_even(admin: Api) -> None:
    early = admin.person("candidate")
    flexible = admin.person("candidate")
    pool = [admin.person("interviewer") for _ in range(3)]
    publish(admin, early, span(0, 1))
    publish(admin, flexible, span(0, 2))
    for interviewer in pool:
        publish(admin, interviewer, span(0, 2))
    result = match(admin)
    assert result["stats"]["scheduled"] == 2
    by_candidate = {i["candidate"]: i for i in result["interviews"]}
    assert by_candidate[early["id"]]["start"] == hours_from_now(0)
    assert by_candidate[flexible["id"]]["start"] == hours_from_now(1)
    assert result["stats"]["min_panel"] == result["stats"]["max_panel"] == 3


def test_max_panel_size_caps_the_panels(admin: Api) -> None:
    cand = admin.person("candidate")
    pool = [admin.person("interviewer") for _ in range(4)]
    for person in (cand, *pool):
        publish(admin, person, span(0, 1))
    result = match(admin, max_panel_size=2)
    assert len(result["interviews"][0]["interviewers"]) == 2


def test_the_same_request_gives_the_same_result(admin: Api) -> None:
    cands = [admin.person("candidate") for _ in range(4)]
    pool = [admin.person("interviewer") for _ in range(3)]
    for n, person in enumerate((*cands, *pool)):
        publish(admin, person, span(n % 3, 4))
    assert match(admin) == match(admin)


def test_booking_a_match_books_every_interview(admin: Api) -> None:
    cands = [admin.person("candidate") for _ in range(3)]
    pool = [admin.person("interviewer") for _ in range(2)]
    for person in (*cands, *pool):
        publish(admin, person, span(0, 2))
    result = match(admin, book=True)
    assert result["stats"]["scheduled"] == 3
    listed = admin.get("/v1/interviews").json["interviews"]
    assert sorted(i["id"] for i in listed) == sorted(i["id"] for i in result["interviews"])
    again = match(admin, book=True)
    assert again["stats"]["scheduled"] == 0
    assert {u["reason"] for u in again["unscheduled"]} == {"no_interviewer"}


def test_a_match_counts_candidates_who_already_have_interviews(admin: Api) -> None:
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    publish(admin, cand, span(0, 2))
    publish(admin, interviewer, span(0, 2))
    assert book(admin, cand, [interviewer], 0).status_code == 201
    result = match(admin, candidates=[cand["id"]])
    assert [i["start"] for i in result["interviews"]] == [hours_from_now(1)]


def test_a_match_breaking_a_rule_is_refused_before_queueing(admin: Api) -> None:
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    window = {"from": hours_from_now(0), "to": hours_from_now(5)}
    assert admin.post("/v1/matches", {**window, "candidates": [interviewer["id"]]}
                      ).status_code == 422
    assert admin.post("/v1/matches", {**window, "interviewers": ["nobody"]}).status_code == 404
    assert admin.post("/v1/matches", {"from": hours_from_now(5), "to": hours_from_now(5)}
                      ).status_code == 422
    assert admin.post("/v1/matches", {**window, "max_panel_size": 0}).status_code == 422
    assert admin.post("/v1/matches", {"to": hours_from_now(5)}).status_code == 422
    assert admin.post("/v1/matches", {**window, "callback_url": "ftp://x"}).status_code == 422
    assert admin.as_key(cand["api_key"]).post("/v1/matches", window).status_code == 403
    assert admin.get("/v1/jobs").json["jobs"] == []


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Europe/Berlin"])
def test_matches_keep_to_the_hour_in_the_calendar_zone(admin: Api, runtime: Runtime,
                                                       zone: str) -> None:
    """Kolkata's hours start at :30 UTC; Berlin's fall-back night has a 25-hour day."""
    local = create_runtime(replace(runtime.settings, calendar_tz=zone))
    api = Api(create_app(local).test_client(), admin.key)
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    day = {"Asia/Kolkata": ("2027-01-05T09:00:00", "2027-01-05T12:00:00"),
           "Europe/Berlin": ("2027-10-31T00:00:00", "2027-11-01T00:00:00")}[zone]
    for person in (cand, interviewer):
        r = api.post(f"/v1/people/{person['id']}/availability",
                     {"ranges": [{"start": day[0], "end": day[1]}]}, headers=WAIT)
        assert r.json["result"]["added"] == {"Asia/Kolkata": 3, "Europe/Berlin": 25}[zone]
    result = match(api, **{"from": day[0], "to": day[1]})
    first = {"Asia/Kolkata": "2027-01-05T03:30:00Z", "Europe/Berlin": "2027-10-30T22:00:00Z"}
    assert result["interviews"][0]["start"] == first[zone]
    local.engine.dispose()
