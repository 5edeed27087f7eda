"""People's calendar feeds read by a real worker process, on Redis and on RabbitMQ: the job a
registration queues, and the sweep's periodic read with a conditional request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from models import CalendarFeed
from tests.feeds import FeedServer, ics, meeting
from tests.stack import Calendar, Client, Worker, next_day, span, wait_until, z

pytestmark = pytest.mark.timeout(90)


def busy(api: Client, person: str, day: str) -> list[dict[str, str]]:
    got = api.get(f"/v1/people/{person}/availability?from={day}T00:00:00Z&to={day}T23:00:00Z")
    assert got.status_code == 200, got.get_json()
    return got.get_json()["busy"]  # type: ignore[no-any-return]


def test_a_worker_reads_a_feed_and_the_sweep_reads_it_again(
        api: Client, worker: Worker, calendar: Calendar, feeds: FeedServer) -> None:
    person, day = api.person(), next_day()
    api.add_availability(person, span(day + timedelta(hours=9), 8))
    url = feeds.serve("/team.ics", ics(meeting(day + timedelta(hours=10))))
    r = api.post(f"/v1/people/{person}/calendars", {"url": url})
    assert r.status_code == 202, r.get_json()
    calendar.wait_for([r.get_json()["id"]], explain=worker.post_mortem)
    job = api.get(r.headers["Location"]).get_json()
    assert job["status"] == "succeeded", job
    assert (job["result"]["status"], job["result"]["busy_hours"]) == ("ok", 1)
    date = str(day.date())
    hour = timedelta(hours=1)
    assert busy(api, person, date) == [{"start": z(day + 10 * hour), "end": z(day + 11 * hour)}]

    feeds.serve("/team.ics", ics(meeting(day + timedelta(hours=13), 2)))
    with api.runtime.sessions.begin() as session:  # due now, as after CALENDAR_SYNC_MINUTES
        session.execute(update(CalendarFeed).values(next_sync_at=api.runtime.clock.now()))
    wait_until(lambda: busy(api, person, date) == [{"start": z(day + 13 * hour),
                                                    "end": z(day + 15 * hour)}],
               30, "the sweep's read of the changed feed", worker.post_mortem)
    first, again = feeds.of("/team.ics")
    assert "If-None-Match" not in first.headers and again.headers["If-None-Match"]
