"""A job submitted through the API is run by a real worker process, on Redis and on RabbitMQ."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.stack import Calendar, Client, Worker, next_day, span

pytestmark = pytest.mark.timeout(90)


def test_added_hours_reach_postgresql_through_a_real_worker(
        api: Client, worker: Worker, calendar: Calendar) -> None:
    person = api.person()
    day = next_day()
    first = api.add_availability(person, span(day + timedelta(hours=9), 3))
    assert first.status_code == 202, first.get_json()
    assert first.headers["Location"] == f"/v1/jobs/{first.get_json()['id']}"
    calendar.wait_for([first.get_json()["id"]], explain=worker.post_mortem)

    # 10:00–14:00 overlaps the 10:00 and 11:00 hours already there
    second = api.add_availability(person, span(day + timedelta(hours=10), 4))
    assert second.status_code == 202, second.get_json()
    calendar.wait_for([second.get_json()["id"]], explain=worker.post_mortem)

    jobs = [api.get(r.headers["Location"]).get_json() for r in (first, second)]
    assert [(j["status"], j["result"]) for j in jobs] == [
        ("succeeded", {"added": 3, "already_present": 0}),
        ("succeeded", {"added": 2, "already_present": 2}),
    ]
    got = api.get(f"/v1/people/{person}/availability?from={day.date()}T00:00:00Z"
                  f"&to={day.date()}T23:00:00Z")
    assert got.status_code == 200, got.get_json()
    assert got.get_json() == {"ranges": [{"start": f"{day.date()}T09:00:00Z",
                                          "end": f"{day.date()}T14:00:00Z"}],
                              "booked": [], "busy": []}
    assert calendar.hours() == 5
    assert [calendar.job(j["id"]).attempts for j in jobs] == [1, 1]
