"""People's calendars over HTTP (SPEC §5, Calendars): a real feed server on 127.0.0.1 serves
the .ics; the embedded worker reads it. Busy hours leave slots, bookings and matches, show in
the availability, survive a failing read, and go with the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduling.weekly import DAYS
from tests.api.conftest import WAIT, Api, book, hours_from_now, next_hour, publish, span
from tests.feeds import FeedServer, ics, meeting
from tests.stack import wait_until
from workers import calendar_reads
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep
from workers.resources import z


def calendars(person: dict[str, Any]) -> str:
    return f"/v1/people/{person['id']}/calendars"


def add_feed(api: Api, person: dict[str, Any], url: str) -> dict[str, Any]:
    """Register the feed and wait for its first read; the finished job."""
    r = api.post(calendars(person), {"url": url}, headers=WAIT)
    assert r.status_code == 200, r.json
    return r.json  # type: ignore[no-any-return]


def availability(api: Api, person: dict[str, Any], first: int = 0,
                 last: int = 48) -> dict[str, Any]:
    r = api.get(f"/v1/people/{person['id']}/availability?from={hours_from_now(first)}"
                f"&to={hours_from_now(last)}")
    assert r.status_code == 200, r.json
    return r.json  # type: ignore[no-any-return]


def test_a_feed_makes_its_meetings_busy_everywhere(admin: Api, feeds: FeedServer) -> None:
    person, candidate = admin.person("interviewer"), admin.person("candidate")
    publish(admin, person, span(0, 10))
    publish(admin, candidate, span(0, 10))
    url = feeds.serve("/alex.ics", ics(meeting(next_hour(2), 1.5), meeting(next_hour(7))))
    job = add_feed(admin, person, url)
    assert job["status"] == "succeeded", job
    calendar = job["result"]
    assert calendar["url"] == url and calendar["status"] == "ok"
    assert calendar["events"] == 2 and calendar["busy_hours"] == 3
    assert calendar["last_error"] is None and calendar["last_synced_at"]

    assert availability(admin, person) == {
        "ranges": [span(0, 2), span(4, 7), span(8, 10)], "booked": [],
        "busy": [span(2, 4), span(7, 8)]}
    slots = admin.get(f"/v1/slots?candidate={candidate['id']}&interviewer={person['id']}"
                      f"&from={hours_from_now(0)}&to={hours_from_now(10)}").json["slots"]
    assert [s["start"] for s in slots] == [hours_from_now(h) for h in (0, 1, 4, 5, 6, 8, 9)]
    r = book(admin, candidate, [person], 2)
    assert r.status_code == 409, r.json
    assert book(admin, candidate, [person], 4).status_code == 201


def test_a_booked_hour_stays_booked_whatever_a_feed_says(admin: Api, feeds: FeedServer) -> None:
    person, candidate = admin.person("interviewer"), admin.person("candidate")
    publish(admin, person, span(0, 4))
    publish(admin, candidate, span(0, 4))
    assert book(admin, candidate, [person], 1).status_code == 201
    add_feed(admin, person, feeds.serve("/clash.ics", ics(meeting(next_hour(1), 2))))
    assert availability(admin, person) == {"ranges": [span(0, 2), span(3, 4)],
                                           "booked": [span(1, 2)], "busy": [span(2, 3)]}


def test_list_get_and_delete_and_its_busy_time_goes_at_once(admin: Api,
                                                            feeds: FeedServer) -> None:
    person = admin.person("interviewer")
    publish(admin, person, span(0, 5))
    calendar = add_feed(admin, person, feeds.serve("/a.ics", ics(meeting(next_hour(1)))))["result"]
    listed = admin.get(calendars(person)).json
    assert listed == {"calendars": [calendar], "next": None}
    assert admin.get(f"{calendars(person)}/{calendar['id']}").json == calendar
    assert availability(admin, person)["busy"] == [span(1, 2)]

    assert admin.delete(f"{calendars(person)}/{calendar['id']}").status_code == 204
    assert availability(admin, person) == {"ranges": [span(0, 5)], "booked": [], "busy": []}
    assert admin.get(f"{calendars(person)}/{calendar['id']}").status_code == 404
    assert admin.get(calendars(person)).json == {"calendars": [], "next": None}


def test_sync_reads_again_with_a_conditional_request(admin: Api, feeds: FeedServer) -> None:
    person = admin.person("interviewer")
    publish(admin, person, span(0, 10))
    url = feeds.serve("/c.ics", ics(meeting(next_hour(1))))
    calendar = add_feed(admin, person, url)["result"]
    sync = f"{calendars(person)}/{calendar['id']}/sync"

    r = admin.post(sync, headers=WAIT)
    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json
    first, again = feeds.of("/c.ics")
    assert "If-None-Match" not in first.headers
    assert again.headers["If-None-Match"].startswith('"')  # answered 304: nothing changed
    assert r.json["result"]["busy_hours"] == 1

    feeds.serve("/c.ics", ics(meeting(next_hour(3), 2)))  # the meeting moved
    r = admin.post(sync, headers=WAIT)
    assert r.json["result"]["busy_hours"] == 2
    assert availability(admin, person)["busy"] == [span(3, 5)]


def test_an_upload_is_read_and_kept(admin: Api) -> None:
    person = admin.person("interviewer")
    publish(admin, person, span(0, 5))
    r = admin.client.post(calendars(person), data=ics(meeting(next_hour(0), 2)),
                          content_type="text/calendar",
                          headers={"Authorization": f"Bearer {admin.key}", **WAIT})
    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json
    assert r.json["result"]["url"] is None and r.json["result"]["busy_hours"] == 2
    calendar = r.json["result"]
    r = admin.post(f"{calendars(person)}/{calendar['id']}/sync", headers=WAIT)
    assert r.json["status"] == "succeeded" and r.json["result"]["busy_hours"] == 2


def test_webcal_is_read_as_https(admin: Api) -> None:
    person = admin.person("interviewer")
    r = admin.post(calendars(person), {"url": "webcal://127.0.0.1:9/feed.ics"})
    assert r.status_code == 202, r.json
    listed = admin.get(calendars(person)).json["calendars"]
    assert [c["url"] for c in listed] == ["https://127.0.0.1:9/feed.ics"]


@pytest.mark.parametrize("url", ["ftp://example.com/a.ics", "http://169.254.169.254/a.ics",
                                 "not a url", ""])
def test_a_url_the_address_rules_refuse_is_422_and_stores_nothing(admin: Api, url: str) -> None:
    person = admin.person("interviewer")
    r = admin.post(calendars(person), {"url": url})
    assert r.status_code == 422, r.json
    assert r.json["errors"][0]["field"] == "url"
    assert admin.get(calendars(person)).json == {"calendars": [], "next": None}


def test_people_manage_only_their_own_calendars(admin: Api, feeds: FeedServer) -> None:
    me, other = admin.person("interviewer"), admin.person("interviewer")
    mine = admin.as_key(me["api_key"])
    url = feeds.serve("/mine.ics", ics())
    assert mine.post(calendars(other), {"url": url}).status_code == 403
    assert add_feed(mine, me, url)["status"] == "succeeded"
    assert mine.get(calendars(me)).json["calendars"][0]["status"] == "ok"


def test_an_upload_past_10_mib_is_413_and_stores_nothing(admin: Api) -> None:
    person = admin.person("interviewer")
    r = admin.client.post(calendars(person), data=b"x" * (10 * 1024 * 1024 + 1),
                          content_type="text/calendar",
                          headers={"Authorization": f"Bearer {admin.key}"})
    assert r.status_code == 413 and r.mimetype == "application/problem+json", r.json
    assert admin.get(calendars(person)).json == {"calendars": [], "next": None}


BAD_FEEDS = {
    "/html": "not an iCalendar file",
    "/to-metadata": "refused",
    "/dribble": "no answer within",
    "/missing.ics": "HTTP 404",
    "/11-mib.ics": "at most 10,485,760 are read",
    "/100001-events.ics": "100,001 events; at most 100,000 are read",
}
SERVED = {"/11-mib.ics": b"x" * (11 * 1024 * 1024),
          "/100001-events.ics": ics(*["UID:x"] * 100_001)}


@pytest.mark.parametrize("path", list(BAD_FEEDS))
def test_a_bad_read_fails_its_job_shows_the_error_and_keeps_the_busy_time(
        admin: Api, feeds: FeedServer, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar_reads, "READ_DEADLINE", 2.0)  # the dribbler, in 2 s not 20
    person = admin.person("interviewer")
    publish(admin, person, span(0, 5))
    good = add_feed(admin, person, feeds.serve("/good.ics", ics(meeting(next_hour(1)))))
    calendar = good["result"]
    if path in SERVED:
        feeds.serve(path, SERVED[path])
    job = add_feed(admin, person, feeds.url(path))
    assert job["status"] == "failed", job
    assert BAD_FEEDS[path] in job["error"]["detail"]
    listed = {c["id"]: c for c in admin.get(calendars(person)).json["calendars"]}
    bad = next(c for ident, c in listed.items() if ident != calendar["id"])
    assert bad["status"] == "error" and BAD_FEEDS[path] in bad["last_error"]
    assert listed[calendar["id"]]["status"] == "ok"
    assert availability(admin, person)["busy"] == [span(1, 2)]


def test_a_failing_feed_keeps_its_last_busy_time(admin: Api, feeds: FeedServer) -> None:
    person = admin.person("interviewer")
    publish(admin, person, span(0, 5))
    url = feeds.serve("/flaky.ics", ics(meeting(next_hour(1))))
    calendar = add_feed(admin, person, url)["result"]
    feeds.feeds["/flaky.ics"] = b"<html>oops</html>"
    r = admin.post(f"{calendars(person)}/{calendar['id']}/sync", headers=WAIT)
    assert r.json["status"] == "failed" and "not an iCalendar file" in r.json["error"]["detail"]
    got = admin.get(f"{calendars(person)}/{calendar['id']}").json
    assert got["status"] == "error" and "not an iCalendar file" in got["last_error"]
    assert got["busy_hours"] == 1 and got["events"] == 1
    assert availability(admin, person)["busy"] == [span(1, 2)]


def test_the_sweep_reads_feeds_again_when_due(admin: Api, feeds: FeedServer,
                                              runtime: Runtime) -> None:
    person = admin.person("interviewer")
    publish(admin, person, span(0, 10))
    url = feeds.serve("/due.ics", ics(meeting(next_hour(1))))
    add_feed(admin, person, url)
    feeds.serve("/due.ics", ics(meeting(next_hour(5))))
    later = runtime.clock.now() + timedelta(minutes=16)
    assert sweep(runtime, later).calendars == 1
    wait_until(lambda: availability(admin, person)["busy"] == [span(5, 6)], 10,
               "the sweep's read of the changed feed")
    assert len(feeds.of("/due.ics")) == 2


def test_a_person_has_at_most_20_calendars(admin: Api) -> None:
    person = admin.person("interviewer")
    for n in range(20):
        assert admin.post(calendars(person), {"url": f"http://127.0.0.1:9/{n}.ics"}
                          ).status_code == 202
    r = admin.post(calendars(person), {"url": "http://127.0.0.1:9/21.ics"})
    assert r.status_code == 409 and "at most 20 calendars" in r.json["detail"], r.json
    assert len(admin.get(calendars(person)).json["calendars"]) == 20


def test_a_new_time_zone_has_the_calendars_read_again(admin: Api, feeds: FeedServer,
                                                      runtime: Runtime) -> None:
    """A floating time is the person's wall clock: 09:00 moves with their zone."""
    person = admin.person("interviewer")
    publish(admin, person, span(0, 72))
    day = next_hour(24).date()
    floating = f"{day.strftime('%Y%m%d')}T090000"
    add_feed(admin, person, feeds.serve("/floating.ics", ics(
        f"UID:f@tests\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{floating}\r\n"
        f"DTEND:{day.strftime('%Y%m%d')}T100000")))
    nine = f"{day.isoformat()}T09:00:00Z"  # CALENDAR_TZ is UTC, and so is the person
    assert nine in [r["start"] for r in availability(admin, person, 0, 72)["busy"]]

    assert admin.patch(f"/v1/people/{person['id']}", {"time_zone": "Asia/Kolkata"}
                       ).status_code == 200
    assert sweep(runtime).calendars == 1  # due at once
    three_thirty = f"{day.isoformat()}T03:00:00Z"  # 09:00 IST is 03:30 UTC: 03:00 and 04:00
    def read_in_the_new_zone() -> list[str] | None:
        starts = [r["start"] for r in availability(admin, person, 0, 72)["busy"]]
        return starts if three_thirty in starts else None

    busy = wait_until(read_in_the_new_zone, 10, "the read in the new zone")
    assert busy[:1] == [three_thirty] and nine not in busy


def test_a_google_shaped_feed_with_a_moved_and_a_skipped_meeting(admin: Api,
                                                                 feeds: FeedServer) -> None:
    """Google writes floating times under X-WR-TIMEZONE, a recurring meeting's exceptions as
    EXDATE and moved instances as events with a RECURRENCE-ID; declined and free events do not
    block."""
    person = admin.person("interviewer", email=f"ada.{next_hour().timestamp():.0f}@example.com")
    admin.put(f"/v1/people/{person['id']}/weekly-hours",
              {"days": {day: [{"start": "00:00", "end": "24:00"}] for day in DAYS}})
    monday = next_hour(48).date() + timedelta(days=7 - next_hour(48).weekday())
    week = [monday + timedelta(days=7 * n) for n in range(4)]

    def stamp(day: date, hour: int) -> str:
        return f"{day.strftime('%Y%m%d')}T{hour:02d}0000"

    email = person["email"]
    feed = ics(
        f"UID:weekly@google.com\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{stamp(week[0], 10)}\r\n"
        f"DTEND:{stamp(week[0], 11)}\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
        f"EXDATE:{stamp(week[1], 10)}\r\nSUMMARY:1:1",
        f"UID:weekly@google.com\r\nDTSTAMP:20270101T000000Z\r\n"
        f"RECURRENCE-ID:{stamp(week[2], 10)}\r\nDTSTART:{stamp(week[2], 14)}\r\n"
        f"DTEND:{stamp(week[2], 15)}\r\nSUMMARY:1:1 (moved)",
        f"UID:declined@google.com\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{stamp(week[0], 16)}"
        f"\r\nDTEND:{stamp(week[0], 17)}\r\nATTENDEE;PARTSTAT=DECLINED:mailto:{email}",
        f"UID:free@google.com\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:{stamp(week[0], 18)}\r\n"
        f"DTEND:{stamp(week[0], 19)}\r\nTRANSP:TRANSPARENT",
        extra="X-WR-TIMEZONE:America/New_York\r\n")
    job = add_feed(admin, person, feeds.serve("/google.ics", feed))
    assert job["status"] == "succeeded", job
    assert job["result"]["events"] == 4

    new_york = ZoneInfo("America/New_York")
    expected = [datetime.combine(day, clock_time(hour), new_york).astimezone(UTC)
                for day, hour in ((week[0], 10), (week[2], 14), (week[3], 10))]
    r = admin.get(f"/v1/people/{person['id']}/availability?from={week[0]}T00:00:00Z"
                  f"&to={week[3] + timedelta(days=1)}T00:00:00Z")
    assert [b["start"] for b in r.json["busy"]] == [z(hour) for hour in expected]
