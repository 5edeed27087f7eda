"""A match under a load cap and a panel requirement, run and booked by a real worker process on
Redis and on RabbitMQ: the booking fills the cap, which slots and the explanation then show."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.stack import Calendar, Client, Worker, next_day, span, z

pytestmark = pytest.mark.timeout(90)


def test_a_worker_books_a_match_within_caps_and_requirements(
        api: Client, worker: Worker, calendar: Calendar) -> None:
    day = next_day() + timedelta(hours=9)
    r = api.post("/v1/people", {"name": "Lea", "role": "interviewer", "tags": ["lead"],
                                "max_interviews_per_day": 1,
                                "email": f"lea-{uuid.uuid4().hex}@example.com"})
    assert r.status_code == 201, r.get_json()
    lead, plain = r.get_json()["id"], api.person()
    first, second = api.person("candidate"), api.person("candidate")
    jobs = [api.add_availability(p, span(day, 2)).get_json()["id"]
            for p in (lead, plain, first, second)]
    calendar.wait_for(jobs, explain=worker.post_mortem)

    r = api.post("/v1/matches", {"from": z(day), "to": z(day + timedelta(hours=2)),
                                 "requirements": [{"tags": ["lead"], "count": 1}],
                                 "book": True})
    assert r.status_code == 202, r.get_json()
    calendar.wait_for([r.get_json()["id"]], explain=worker.post_mortem)
    job = api.get(r.headers["Location"]).get_json()
    assert job["status"] == "succeeded", job
    [interview] = job["result"]["interviews"]
    assert interview["start"] == z(day) and sorted(interview["interviewers"]) == sorted(
        [lead, plain])
    # the later hour: Lea's day is full, and Pat alone meets no requirement
    [left] = job["result"]["unscheduled"]
    assert left["reason"] == "requirements"
    assert job["result"]["stats"]["optimal"] is True

    waiting = ({first, second} - {interview["candidate"]}).pop()
    window = f"from={z(day)}&to={z(day + timedelta(hours=2))}"
    slots = api.get(f"/v1/slots?candidate={waiting}&interviewer={lead}&{window}").get_json()
    assert slots["slots"] == []
    why = api.get(f"/v1/slots/explain?candidate={waiting}&interviewer={lead}&{window}")
    assert why.status_code == 200, why.get_json()
    assert {p["id"]: p["capped_hours"] for p in why.get_json()["people"]}[lead] == 1
