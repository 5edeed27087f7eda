"""The slot queries on SQLite (embedded mode): the same answers as on PostgreSQL, where
PostgreSQL-only SQL (one string of ids per hour) has a portable counterpart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from models import AvailabilityHour
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
