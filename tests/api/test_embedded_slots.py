"""The slot queries on SQLite (embedded mode): the same answers as on PostgreSQL, where
PostgreSQL-only SQL (one string of ids per hour) has a portable counterpart; and why there is
no slot, each reason included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from models import AvailabilityHour, BusyHour, CalendarFeed
from tests.api.conftest import Embedded

START = datetime(2031, 3, 3, 9, tzinfo=UTC)


def _z(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slots(embedded: Embedded, **query: Any) -> list[tuple[str, list[str], list[str]]]:
    r = embedded.client.get("/v1/slots", query_string={"from": _z(0), "to": _z(8), **query},
                            headers={"Authorization": f"Bearer {embedded.key}"})
    assert r.status_code == 200, r.get_json()
    times = embedded.client.get("/v1/slots", query_string={"from": _z(0), "to": _z(8),
                                                           "view": "times", **query},
                                headers={"Authorization": f"Bearer {embedded.key}"})
    assert times.get_json()["slots"] == [{"start": s["start"], "end": s["end"]}
                                         for s in r.get_json()["slots"]]
    return [(s["start"], s["candidates"], s["interviewers"]) for s in r.get_json()["slots"]]


def test_every_kind_of_slot_query_answers_on_sqlite(embedded: Embedded) -> None:
    people = {}
    for name, role in (("ann", "interviewer"), ("bob", "interviewer"), ("cyd", "candidate")):
        r = embedded.client.post("/v1/people", json={"name": name, "email": f"{name}@x.org",
                                                     "role": role},
                                 headers={"Authorization": f"Bearer {embedded.key}"})
        assert r.status_code == 201, r.get_json()
        people[name] = (r.get_json()["id"], role)
    free = {"ann": [1, 2], "bob": [2, 3], "cyd": [1, 2, 3]}
    with embedded.runtime.sessions.begin() as session:
        session.add_all(AvailabilityHour(person_id=uuid.UUID(people[n][0]),
                                         start=START + timedelta(hours=h), role=people[n][1])
                        for n, hours in free.items() for h in hours)
    ann, bob, cyd = (people[n][0] for n in ("ann", "bob", "cyd"))

    assert _slots(embedded, candidate=cyd, interviewer=[ann]) == [
        (_z(1), [cyd], [ann]), (_z(2), [cyd], [ann])]
    assert _slots(embedded, candidate=cyd) == [
        (_z(1), [cyd], [ann]), (_z(2), [cyd], sorted([ann, bob])), (_z(3), [cyd], [bob])]
    assert _slots(embedded, interviewer=[ann, bob]) == [(_z(2), [cyd], sorted([ann, bob]))]
    wrong = embedded.client.get("/v1/slots", query_string={"candidate": ann},
                                headers={"Authorization": f"Bearer {embedded.key}"})
    assert wrong.status_code == 422


def test_why_there_is_no_slot_answers_on_sqlite(embedded: Embedded) -> None:
    """Cat (a day cap of one) is booked at hour 3 and busy at hour 1: capped at 0 and 2, and
    not offered at 4; the candidate offers hours 0 to 4."""
    auth = {"Authorization": f"Bearer {embedded.key}"}

    def person(name: str, role: str, **fields: Any) -> str:
        r = embedded.client.post("/v1/people", json={"name": name, "email": f"{name}@x.org",
                                                     "role": role, **fields}, headers=auth)
        assert r.status_code == 201, r.get_json()
        ident: str = r.get_json()["id"]
        return ident

    cyd, oli = person("cyd", "candidate"), person("oli", "candidate")
    cat = person("cat", "interviewer", time_zone="UTC", max_interviews_per_day=1)
    offered = {cyd: (0, 1, 2, 3, 4), oli: (3,), cat: (0, 1, 2, 3)}
    with embedded.runtime.sessions.begin() as session:
        session.add_all(AvailabilityHour(person_id=uuid.UUID(ident),
                                         start=START + timedelta(hours=h), role=role)
                        for ident, role in ((cyd, "candidate"), (oli, "candidate"),
                                            (cat, "interviewer")) for h in offered[ident])
        calendar = CalendarFeed(person_id=uuid.UUID(cat), created_at=START, status="ok",
                                next_sync_at=START)
        session.add(calendar)
        session.flush()
        session.add(BusyHour(calendar_id=calendar.id, person_id=uuid.UUID(cat),
                             start=START + timedelta(hours=1)))
    r = embedded.client.post("/v1/interviews", json={"candidate": oli, "interviewers": [cat],
                                                     "start": _z(3)}, headers=auth)
    assert r.status_code == 201, r.get_json()

    r = embedded.client.get("/v1/slots/explain", headers=auth, query_string={
        "candidate": cyd, "interviewer": cat, "from": _z(0), "to": _z(5)})

    assert r.status_code == 200, r.get_json()
    assert r.get_json()["people"] == [
        {"id": cyd, "offered_hours": 5, "booked_hours": 0, "busy_hours": 0, "capped_hours": 0,
         "free_hours": 5},
        {"id": cat, "offered_hours": 4, "booked_hours": 1, "busy_hours": 1, "capped_hours": 2,
         "free_hours": 0}]
    assert [(m["start"], m["missing"]) for m in r.get_json()["near_misses"]] == [
        (_z(h), [{"id": cat, "reason": reason}]) for h, reason in (
            (0, "cap_reached"), (1, "busy"), (2, "cap_reached"), (3, "booked"),
            (4, "not_offered"))]
