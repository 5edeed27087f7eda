"""Why there is no slot, on the web page: when the picked candidate and interviewers have no
hour in the week shown, the page says how each person's hours are spent and which hours come
nearest, in words and names, in the page's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.web.calendar import (
    Server,
    has_class,
    hour_cell,
    pick,
    screenshot,
    show_hour,
    sign_in,
    tomorrow,
    z,
)
from tests.web.conftest import TIME_ZONE

pytestmark = pytest.mark.timeout(60)


def local(moment: datetime) -> str:
    """The hour as the page names it (the browser is in TIME_ZONE): `Tuesday 11:00`."""
    return f"{moment.astimezone(ZoneInfo(TIME_ZONE)):%A %H:%M}"


def test_a_week_without_a_slot_is_explained_in_names_and_words(
        page: Page, server: Server) -> None:
    """Tomorrow (UTC) Edsger offers 09:00–13:00, Barbara 09:00–12:00 and is booked at 10:00,
    and Donald offers 10:00–11:00 only: every hour misses someone."""
    edsger = server.person("Edsger Dijkstra", "candidate")
    niklaus = server.person("Niklaus Wirth", "candidate")
    barbara = server.person("Barbara Liskov", "interviewer")
    donald = server.person("Donald Knuth", "interviewer")
    server.publish(edsger, tomorrow(9), tomorrow(13))
    server.publish(barbara, tomorrow(9), tomorrow(12))
    server.publish(donald, tomorrow(10), tomorrow(11))
    server.publish(niklaus, tomorrow(10), tomorrow(11))
    r = server.call("POST", "/v1/interviews", {"candidate": niklaus.id,
                                               "interviewers": [barbara.id],
                                               "start": z(tomorrow(10))})
    assert r.status_code == 201, r.text

    sign_in(page, server)
    pick(page, edsger, barbara, donald)
    show_hour(page, tomorrow(10))

    section = page.locator("#no-slot")
    expect(section).to_be_visible()
    expect(section.locator("h4")).to_have_text(
        "No slot for Edsger Dijkstra with Barbara Liskov, Donald Knuth")
    rows = section.locator("table.counts tbody tr")
    expect(rows).to_have_text([
        "Edsger Dijkstra4 h0 h0 h0 h4 h", "Barbara Liskov3 h1 h0 h0 h2 h",
        "Donald Knuth1 h0 h0 h0 h1 h"])
    misses = section.locator(".near-misses li")
    expect(misses.nth(0)).to_have_text(
        f"{local(tomorrow(9))} works if Donald Knuth is freed (not offered)")
    expect(misses.nth(1)).to_have_text(
        f"{local(tomorrow(10))} works if Barbara Liskov is freed (booked)")
    expect(misses.nth(2)).to_have_text(
        f"{local(tomorrow(11))} works if Donald Knuth is freed (not offered)")
    expect(misses.nth(3)).to_have_text(
        f"{local(tomorrow(12))} works if Barbara Liskov (not offered) and Donald Knuth "
        "(not offered) are freed")
    expect(misses).to_have_count(4)  # the hours that miss all three are left out
    screenshot(page, "no-slot.png")

    page.get_by_label("Search by name").fill(donald.name)
    page.locator(f"#person-{donald.id}").uncheck()  # Edsger and Barbara meet at 09:00, 11:00
    expect(hour_cell(page, tomorrow(9))).to_have_class(has_class("slot"))
    expect(section).to_be_hidden()


def test_a_candidate_sees_why_it_has_no_slot_with_an_interviewer(
        page: Page, server: Server) -> None:
    ada = server.person("Ada Lovelace", "candidate")
    tony = server.person("Tony Hoare", "interviewer")
    server.publish(tony, tomorrow(14), tomorrow(15))

    sign_in(page, server, ada.key)
    pick(page, tony)
    show_hour(page, tomorrow(14))

    section = page.locator("#no-slot")
    expect(section.locator("h4")).to_have_text("No slot for Ada Lovelace with Tony Hoare")
    expect(section.locator(".near-misses li")).to_have_text([
        f"{local(tomorrow(14))} works if Ada Lovelace is freed (not offered)"])
