"""GET /v1/slots/explain (SPEC §5 "Why there is no slot"): each reason on hand-built calendars,
counts that add up, the order and the bound of the near misses, the candidate key's rules and
bad parameters; tests/api/test_embedded_explanations.py runs it on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import WAIT, Api, publish
from tests.feeds import ics, meeting
from workers.resources import z

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
DAY = TODAY + timedelta(days=2)  # a whole UTC day ahead, whenever the tests run


def at(hour: int) -> datetime:
    """`hour` hours after midnight of DAY (UTC)."""
    return DAY + timedelta(hours=hour)


def offer(api: Api, person: dict[str, Any], first: int, last: int) -> None:
    publish(api, person, {"start": z(at(first)), "end": z(at(last))})


def booked(api: Api, candidate: dict[str, Any], interviewer: dict[str, Any], hour: int) -> None:
    r = api.post("/v1/interviews", {"candidate": candidate["id"],
                                    "interviewers": [interviewer["id"]], "start": z(at(hour))})
    assert r.status_code == 201, r.json


def busy(api: Api, person: dict[str, Any], hour: int) -> None:
    """An uploaded calendar with a half-hour meeting in `hour`."""
    r = api.client.post(f"/v1/people/{person['id']}/calendars",
                        data=ics(meeting(at(hour) + timedelta(minutes=15), 0.5)),
                        content_type="text/calendar",
                        headers={"Authorization": f"Bearer {api.key}", **WAIT})
    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json


def explain(api: Api, status: int = 200, **query: Any) -> Any:
    r = api.get("/v1/slots/explain", query_string=query)
    assert r.status_code == status, r.json
    return r.json


def counts(answer: Any) -> list[tuple[int, int, int, int, int]]:
    return [(p["offered_hours"], p["booked_hours"], p["busy_hours"], p["capped_hours"],
             p["free_hours"]) for p in answer["people"]]


def misses(answer: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(m["start"], [(x["id"], x["reason"]) for x in m["missing"]])
            for m in answer["near_misses"]]


def test_each_hour_gives_the_first_reason_that_applies(admin: Api) -> None:
    """Cat's day cap of one is reached by her interview at 14:00: her other hours that day are
    capped, except 12:00, busy in her calendar, and 14:00 itself, booked; 15:00 she offers not."""
    cand, other = admin.person("candidate", "Cyd"), admin.person("candidate", "Oli")
    r = admin.post("/v1/people", {"name": "Cat", "email": "cat@example.com",
                                  "role": "interviewer", "time_zone": "UTC",
                                  "max_interviews_per_day": 1})
    assert r.status_code == 201, r.json
    cat = r.json
    offer(admin, cand, 9, 16)
    offer(admin, other, 14, 15)
    offer(admin, cat, 9, 15)
    busy(admin, cat, 12)
    booked(admin, other, cat, 14)

    got = explain(admin, candidate=cand["id"], interviewer=cat["id"], **{"from": z(at(9))},
                  to=z(at(16)))

    assert [p["id"] for p in got["people"]] == [cand["id"], cat["id"]]
    assert counts(got) == [(7, 0, 0, 0, 7), (6, 1, 1, 4, 0)]
    assert misses(got) == [(z(at(h)), [(cat["id"], reason)]) for h, reason in (
        (9, "cap_reached"), (10, "cap_reached"), (11, "cap_reached"), (12, "busy"),
        (13, "cap_reached"), (14, "booked"), (15, "not_offered"))]
    assert all(m["end"] == z(datetime.fromisoformat(m["start"]) + timedelta(hours=1))
               for m in got["near_misses"])


def test_the_counts_agree_with_the_availability_the_person_reads(admin: Api) -> None:
    cand, other, ann = (admin.person("candidate"), admin.person("candidate"),
                        admin.person("interviewer", "Ann"))
    offer(admin, cand, 8, 12)
    offer(admin, other, 9, 10)
    offer(admin, ann, 9, 13)
    booked(admin, other, ann, 9)
    busy(admin, ann, 11)

    got = explain(admin, candidate=cand["id"], interviewer=ann["id"], **{"from": z(at(0))},
                  to=z(at(24)))
    read = admin.get(f"/v1/people/{ann['id']}/availability",
                     query_string={"from": z(at(0)), "to": z(at(24))}).json

    def hours(ranges: list[dict[str, str]]) -> int:
        return sum((datetime.fromisoformat(r["end"]) - datetime.fromisoformat(r["start"]))
                   // timedelta(hours=1) for r in ranges)

    person = got["people"][1]
    assert person["offered_hours"] == hours(read["ranges"]) + hours(read["busy"]) == 4
    assert person["booked_hours"] == hours(read["booked"]) == 1
    assert person["busy_hours"] == hours(read["busy"]) == 1
    assert person["free_hours"] == 2 and person["capped_hours"] == 0
    slots = admin.get("/v1/slots", query_string={"candidate": cand["id"],
                                                 "interviewer": ann["id"], "from": z(at(0)),
                                                 "to": z(at(24))}).json["slots"]
    assert [s["start"] for s in slots] == [z(at(10))]
    assert z(at(10)) not in [m["start"] for m in got["near_misses"]]  # a slot is no miss


def test_near_misses_come_fewest_missing_first_then_earliest_and_at_most_20(
        admin: Api) -> None:
    """Hour 0: the candidate offers not and Ann is booked (two missing); hour 3: Ann is
    booked; from hour 10 Bob offers not (one missing each); the other hours are slots."""
    cand, other = admin.person("candidate", "Cyd"), admin.person("candidate", "Oli")
    ann, bob = admin.person("interviewer", "Ann"), admin.person("interviewer", "Bob")
    offer(admin, cand, 1, 40)
    offer(admin, other, 0, 4)
    offer(admin, ann, 0, 40)
    offer(admin, bob, 0, 10)
    booked(admin, other, ann, 0)
    booked(admin, other, ann, 3)
    named = [bob["id"], ann["id"], bob["id"]]  # named twice: counted once, in the first place

    day = explain(admin, candidate=cand["id"], interviewer=named, **{"from": z(at(0))},
                  to=z(at(24)))
    assert [p["id"] for p in day["people"]] == [cand["id"], bob["id"], ann["id"]]
    assert misses(day) == [
        (z(at(3)), [(ann["id"], "booked")]),
        *((z(at(h)), [(bob["id"], "not_offered")]) for h in range(10, 24)),
        (z(at(0)), [(cand["id"], "not_offered"), (ann["id"], "booked")])]

    longer = explain(admin, candidate=cand["id"], interviewer=named, **{"from": z(at(0))},
                     to=z(at(48)))
    assert [m["start"] for m in longer["near_misses"]] == [
        z(at(3)), *(z(at(h)) for h in range(10, 29))]
    assert counts(longer) == [(39, 0, 0, 0, 39), (10, 0, 0, 0, 10), (40, 2, 0, 0, 38)]


def test_hours_of_a_window_not_on_the_hour_begin_at_the_next_hour(admin: Api) -> None:
    cand, ann = admin.person("candidate"), admin.person("interviewer")
    offer(admin, cand, 9, 12)
    got = explain(admin, candidate=cand["id"], interviewer=ann["id"],
                  **{"from": z(at(9) + timedelta(minutes=30))}, to=z(at(11)))
    assert counts(got) == [(1, 0, 0, 0, 1), (0, 0, 0, 0, 0)]
    assert misses(got) == [(z(at(10)), [(ann["id"], "not_offered")])]


def test_the_window_defaults_to_the_next_28_days(admin: Api) -> None:
    cand, ann = admin.person("candidate"), admin.person("interviewer")
    got = explain(admin, candidate=cand["id"], interviewer=ann["id"])
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    assert len(got["near_misses"]) == 20
    assert got["near_misses"][0]["start"] in (z(first), z(first + timedelta(hours=1)))
    assert got["near_misses"][0]["missing"] == [{"id": cand["id"], "reason": "not_offered"},
                                                {"id": ann["id"], "reason": "not_offered"}]


def test_a_candidate_key_explains_its_own_slots_only(admin: Api) -> None:
    me, other = admin.person("candidate", "Me"), admin.person("candidate", "Other")
    ann, ivy = admin.person("interviewer", "Ann"), admin.person("interviewer", "Ivy")
    mine = admin.as_key(me["api_key"])

    got = explain(mine, interviewer=ann["id"])
    assert [p["id"] for p in got["people"]] == [me["id"], ann["id"]]
    assert explain(mine, candidate=me["id"], interviewer=ann["id"])["people"] == got["people"]
    assert explain(mine, 403, candidate=other["id"], interviewer=ann["id"])
    assert explain(mine, 404, interviewer=other["id"])  # another candidate is nobody to it
    text = mine.get("/v1/slots/explain", query_string={"interviewer": ann["id"]}).text
    assert other["id"] not in text
    interviewer = admin.as_key(ivy["api_key"])
    assert explain(interviewer, candidate=me["id"], interviewer=ann["id"])["people"]


@pytest.mark.parametrize(("query", "fields"), [
    ({}, ["candidate", "interviewer"]),
    ({"interviewer": "INTERVIEWER"}, ["candidate"]),
    ({"candidate": "CANDIDATE"}, ["interviewer"]),
    ({"candidate": "INTERVIEWER", "interviewer": "INTERVIEWER"}, ["candidate"]),
    ({"candidate": "CANDIDATE", "interviewer": "CANDIDATE"}, ["interviewer"]),
    ({"candidate": "CANDIDATE", "interviewer": ["INTERVIEWER"] * 51}, ["interviewer"]),
    ({"candidate": "CANDIDATE", "interviewer": "INTERVIEWER", "from": "2031-01-01T00:00:00Z",
      "to": "2032-01-03T00:00:00Z"}, ["to"]),
    ({"candidate": "CANDIDATE", "interviewer": "INTERVIEWER", "from": "2031-01-02T00:00:00Z",
      "to": "2031-01-01T00:00:00Z"}, ["to"]),
    ({"candidate": "CANDIDATE", "interviewer": "INTERVIEWER", "from": "tomorrow"}, ["from"]),
    ({"candidate": "CANDIDATE", "interviewer": "INTERVIEWER", "to": 1e400}, ["to"]),
    ({"candidate": "CANDIDATE\x00", "interviewer": "INTERVIEWER"}, None),
])
def test_bad_parameters_are_422_naming_them(admin: Api, query: dict[str, Any],
                                            fields: list[str] | None) -> None:
    ids = {"CANDIDATE": admin.person("candidate")["id"],
           "INTERVIEWER": admin.person("interviewer")["id"]}

    def real(value: Any) -> Any:
        """The value with each placeholder replaced by the person's id."""
        if isinstance(value, list):
            return [real(v) for v in value]
        for placeholder, ident in ids.items():
            value = value.replace(placeholder, ident) if isinstance(value, str) else value
        return value

    got = explain(admin, 422, **{k: real(v) for k, v in query.items()})
    assert got["status"] == 422
    if fields is not None:
        assert [e["field"] for e in got["errors"]] == fields


def test_people_who_do_not_exist_are_404(admin: Api) -> None:
    cand, ann = admin.person("candidate"), admin.person("interviewer")
    nobody = str(uuid.uuid4())
    for query in ({"candidate": "nobody", "interviewer": ann["id"]},
                  {"candidate": nobody, "interviewer": ann["id"]},
                  {"candidate": cand["id"], "interviewer": [ann["id"], nobody]}):
        got = explain(admin, 404, **query)
        assert "does not exist" in got["detail"]
