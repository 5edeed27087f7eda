"""A person's own calendar on the web page (SPEC §5): busy hours greyed with their time only,
weekly hours set in the page, a feed's URL added and deleted in the page, refusals explained.
The feeds are served by a real HTTP server on 127.0.0.1 (tests/feeds.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.feeds import FeedServer, ics, meeting
from tests.web.calendar import (
    Server,
    has_class,
    hour_cell,
    pick,
    screenshot,
    show_hour,
    sign_in,
    tomorrow,
)
from tests.web.conftest import TIME_ZONE

pytestmark = pytest.mark.timeout(60)

TITLE = "Team sync"  # the SUMMARY of tests.feeds.meeting


def stripe(page: Page, moment: datetime) -> Locator:
    """The stripe of the one person picked, at that hour."""
    return hour_cell(page, moment).locator(".stripe")


def local_hour(moment: datetime) -> str:
    """The hour as the page shows it (the browser is in TIME_ZONE): `11:00–12:00`."""
    start = moment.astimezone(ZoneInfo(TIME_ZONE))
    return f"{start:%H:%M}–{start + timedelta(hours=1):%H:%M}"


def test_a_meeting_in_a_persons_feed_greys_its_hour_with_its_time_and_never_its_title(
        page: Page, server: Server, feeds: FeedServer) -> None:
    ada = server.person("Ada Lovelace", "interviewer")
    server.publish(ada, tomorrow(9), tomorrow(12))
    url = feeds.serve("/ada.ics", ics(meeting(tomorrow(10))))
    server.add_calendar(ada, url)

    sign_in(page, server, ada.key)
    busy = show_hour(page, tomorrow(10))
    expect(busy).to_have_class(has_class("busy"))
    expect(stripe(page, tomorrow(10))).to_have_class(has_class("busy"))
    expect(busy).to_have_attribute("title", re.compile(
        f"Ada Lovelace: busy {local_hour(tomorrow(10))}$"))
    for hour in (9, 11):
        expect(hour_cell(page, tomorrow(hour))).not_to_have_class(has_class("busy"))
        expect(stripe(page, tomorrow(hour))).to_have_class(has_class("free"))

    busy.click()
    expect(page.locator("#hour-details")).to_contain_text(
        f"Ada Lovelace: busy {local_hour(tomorrow(10))}")
    listed = page.locator("#calendars-list tr")
    expect(listed).to_have_count(1)
    expect(listed.locator("td")).to_have_text([url, "ok", "1", "", "Delete"])
    assert TITLE not in page.content()
    screenshot(page, "calendars.png")


def test_weekly_hours_set_in_the_page_are_free_on_the_grid_until_cleared(
        page: Page, server: Server) -> None:
    edsger = server.person("Edsger Dijkstra", "interviewer")  # in CALENDAR_TZ, UTC here
    sign_in(page, server, edsger.key)
    day = page.get_by_label(tomorrow().strftime("%A"), exact=True)
    day.fill("9-12, 14:00–15:00")
    page.get_by_role("button", name="Save weekly hours").click()
    expect(day).to_have_value("09:00–12:00, 14:00–15:00")  # as the server answered them
    for hour in (9, 10, 11, 14):
        expect(stripe(page, tomorrow(hour))).to_have_class(has_class("free"))
    for hour in (8, 12, 13, 15):
        expect(stripe(page, tomorrow(hour))).not_to_have_class(has_class("free"))
    key = tomorrow().strftime("%a").lower()
    assert server.get(f"/v1/people/{edsger.id}/weekly-hours") == {"days": {key: [
        {"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "15:00"}]}}

    day.fill("17-9")
    page.get_by_role("button", name="Save weekly hours").click()
    expect(page.locator("#weekly-error")).to_contain_text("end must be after start")
    page.get_by_role("button", name="Clear weekly hours").click()
    expect(day).to_have_value("")
    expect(stripe(page, tomorrow(9))).not_to_have_class(has_class("free"))
    assert server.get(f"/v1/people/{edsger.id}/weekly-hours") == {"days": {}}


def test_a_feed_added_in_the_page_is_listed_ok_shows_busy_and_goes_when_deleted(
        page: Page, server: Server, feeds: FeedServer) -> None:
    alan = server.person("Alan Kay", "interviewer")
    server.publish(alan, tomorrow(13), tomorrow(17))
    url = feeds.serve("/alan.ics", ics(meeting(tomorrow(14), 1.5)))

    sign_in(page, server)
    pick(page, alan)
    expect(page.locator("#person-panel-title")).to_have_text(
        "Weekly hours and calendars of Alan Kay")
    page.get_by_label("Calendar feed URL").fill(url)
    page.get_by_role("button", name="Add calendar").click()
    listed = page.locator("#calendars-list tr")
    expect(listed.locator("td")).to_have_text([url, "ok", "2", "", "Delete"])
    for hour in (14, 15):
        expect(show_hour(page, tomorrow(hour))).to_have_class(has_class("busy"))
    for hour in (13, 16):
        expect(stripe(page, tomorrow(hour))).to_have_class(has_class("free"))
    assert TITLE not in page.content()

    listed.get_by_role("button", name=f"Delete the calendar {url}").click()
    expect(listed).to_have_count(0)
    expect(stripe(page, tomorrow(14))).to_have_class(has_class("free"))
    assert server.get(f"/v1/people/{alan.id}/calendars") == {"calendars": [], "next": None}


def test_a_refused_url_and_a_failed_read_show_the_servers_detail(
        page: Page, server: Server, feeds: FeedServer) -> None:
    barbara = server.person("Barbara Liskov", "interviewer")
    refused = "http://169.254.169.254/latest/meta-data/"
    answer = server.call("POST", f"/v1/people/{barbara.id}/calendars", {"url": refused})
    assert answer.status_code == 422, answer.text

    sign_in(page, server, barbara.key)
    page.get_by_label("Calendar feed URL").fill(refused)
    page.get_by_role("button", name="Add calendar").click()
    expect(page.locator("#calendar-error")).to_contain_text(answer.json()["detail"])
    expect(page.locator("#calendars-empty")).to_be_visible()

    page.get_by_label("Calendar feed URL").fill(feeds.url("/missing.ics"))
    page.get_by_role("button", name="Add calendar").click()
    expect(page.locator("#calendar-error")).to_have_text(re.compile(
        "^The calendar could not be read: .*HTTP 404"))
    expect(page.locator("#calendars-list tr td")).to_contain_text(["error", "HTTP 404"])
