"""GET /v1/slots: every row of the SPEC table, panels, windows, roles and pagination."""

from typing import Any

from tests.api.conftest import Api, book, hours_from_now, publish, span


def slots(api: Api, **query: Any) -> Any:
    r = api.get("/v1/slots", query_string=query)
    assert r.status_code == 200, r.json
    return r.json


def test_candidate_and_interviewers_meet_where_all_are_free(admin: Api) -> None:
    cand, i1, i2 = admin.person("candidate"), admin.person("interviewer"), admin.person(
        "interviewer")
    publish(admin, cand, span(0, 4))
    publish(admin, i1, span(1, 4))
    publish(admin, i2, span(2, 6))
    got = slots(admin, candidate=cand["id"], interviewer=[i1["id"], i2["id"]])
    assert [s["start"] for s in got["slots"]] == [hours_from_now(2), hours_from_now(3)]
    first = got["slots"][0]
    assert first["end"] == hours_from_now(3)
    assert first["candidates"] == [cand["id"]]
    assert first["interviewers"] == sorted([i1["id"], i2["id"]])
    assert first["panels"] == [{"candidate": cand["id"],
                                "interviewers": sorted([i1["id"], i2["id"]])}]
    assert got["next"] is None


def test_candidate_only_lists_every_free_interviewer(admin: Api) -> None:
    cand = admin.person("candidate")
    i1, i2 = admin.person("interviewer"), admin.person("interviewer")
    publish(admin, cand, span(0, 3))
    publish(admin, i1, span(0, 1))
    publish(admin, i2, span(0, 2))
    got = slots(admin, candidate=cand["id"])["slots"]
    assert [(s["start"], s["interviewers"]) for s in got] == [
        (hours_from_now(0), sorted([i1["id"], i2["id"]])), (hours_from_now(1), [i2["id"]])]


def test_interviewers_only_lists_every_free_candidate_and_splits_the_panel(admin: Api) -> None:
    c1, c2 = admin.person("candidate"), admin.person("candidate")
    ints = [admin.person("interviewer") for _ in range(3)]
    for person in (c1, c2, *ints):
        publish(admin, person, span(0, 1))
    got = slots(admin, interviewer=[i["id"] for i in ints])["slots"]
    assert len(got) == 1
    assert got[0]["candidates"] == sorted([c1["id"], c2["id"]])
    sizes = sorted(len(p["interviewers"]) for p in got[0]["panels"])
    assert sizes == [1, 2]
    seated = sorted(i for p in got[0]["panels"] for i in p["interviewers"])
    assert seated == sorted(i["id"] for i in ints)


def test_more_candidates_than_interviewers_gives_panels_to_some(admin: Api) -> None:
    cands = [admin.person("candidate") for _ in range(3)]
    interviewer = admin.person("interviewer")
    for person in (*cands, interviewer):
        publish(admin, person, span(0, 1))
    got = slots(admin, interviewer=interviewer["id"])["slots"][0]
    assert len(got["candidates"]) == 3
    assert got["panels"] == [{"candidate": sorted(c["id"] for c in cands)[0],
                              "interviewers": [interviewer["id"]]}]


def test_booked_hours_are_not_free(admin: Api) -> None:
    cand, other, interviewer = (admin.person("candidate"), admin.person("candidate"),
                                admin.person("interviewer"))
    for person in (cand, other, interviewer):
        publish(admin, person, span(0, 2))
    assert book(admin, other, [interviewer], 0).status_code == 201
    got = slots(admin, candidate=cand["id"])["slots"]
    assert [s["start"] for s in got] == [hours_from_now(1)]


def test_the_window_defaults_and_bounds(admin: Api) -> None:
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    publish(admin, cand, span(0, 24 * 40))
    publish(admin, interviewer, span(0, 24 * 40))
    default = slots(admin, candidate=cand["id"], limit=1000)["slots"]
    assert len(default) == 24 * 28
    narrow = slots(admin, candidate=cand["id"], **{"from": hours_from_now(5),
                                                    "to": hours_from_now(8)})["slots"]
    assert [s["start"] for s in narrow] == [hours_from_now(h) for h in (5, 6, 7)]
    too_wide = admin.get("/v1/slots", query_string={
        "candidate": cand["id"], "from": hours_from_now(0), "to": hours_from_now(367 * 24)})
    assert too_wide.status_code == 422


def test_slots_are_paginated(admin: Api) -> None:
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    publish(admin, cand, span(0, 5))
    publish(admin, interviewer, span(0, 5))
    seen, cursor = [], None
    while True:
        got = slots(admin, candidate=cand["id"], limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [s["start"] for s in got["slots"]]
        cursor = got["next"]
        if not cursor:
            break
    assert seen == [hours_from_now(h) for h in range(5)]


def test_a_query_must_name_someone(admin: Api) -> None:
    r = admin.get("/v1/slots")
    assert r.status_code == 422
    assert "candidate" in r.json["detail"] and "interviewer" in r.json["detail"]


def test_unknown_people_are_404_and_wrong_roles_422(admin: Api) -> None:
    cand, interviewer = admin.person("candidate"), admin.person("interviewer")
    assert admin.get("/v1/slots", query_string={"candidate": "nobody"}).status_code == 404
    assert admin.get("/v1/slots", query_string={"candidate": interviewer["id"]}).status_code == 422
    assert admin.get("/v1/slots", query_string={"interviewer": cand["id"]}).status_code == 422


def test_a_candidate_sees_only_its_own_slots(admin: Api) -> None:
    me, other = admin.person("candidate"), admin.person("candidate")
    interviewer = admin.person("interviewer")
    for person in (me, other, interviewer):
        publish(admin, person, span(0, 1))
    as_me = admin.as_key(me["api_key"])
    got = slots(as_me, interviewer=interviewer["id"])["slots"]
    assert got[0]["candidates"] == [me["id"]]
    assert other["id"] not in str(got)
    assert as_me.get("/v1/slots", query_string={"candidate": other["id"]}).status_code == 403
