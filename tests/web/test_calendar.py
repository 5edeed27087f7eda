"""The web calendar as a coordinator uses it: sign in, pick people, read the week, edit
availability, run and book a match, cancel an interview."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.web.calendar import (
    HTTP_TIMEOUT,
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

pytestmark = pytest.mark.timeout(60)


def test_the_page_is_served_with_a_strict_policy_and_is_no_api_operation(
        server: Server) -> None:
    page = requests.get(server.url + "/", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.text  # no inline script: only `<script type=module src=…>`
    script = requests.get(server.url + "/calendar/static/app.js", timeout=HTTP_TIMEOUT)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    spec = requests.get(server.url + "/openapi.json", timeout=HTTP_TIMEOUT).json()
    assert "/" not in spec["paths"]


def test_signing_in_keeps_the_key_for_the_tab_and_signing_out_forgets_it(
        page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.get_by_label("API key").fill("ic_not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That API key is not valid.")

    sign_in(page, server)
    expect(page.locator("#whoami")).to_have_text("Signed in as Coordinator (admin)")
    assert page.evaluate("sessionStorage.getItem('interview-calendar.api-key')") == \
        server.admin_key
    assert page.evaluate("localStorage.length") == 0
    page.reload()
    expect(page.locator("#workspace")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    expect(page.locator("#workspace")).to_be_hidden()
    assert page.evaluate("sessionStorage.getItem('interview-calendar.api-key')") is None
    page.reload()
    expect(page.get_by_label("API key")).to_be_visible()


def test_a_known_slot_is_highlighted_and_shows_its_panel_on_click(
        page: Page, server: Server) -> None:
    grace = server.person("Grace Hopper", "interviewer")
    alan = server.person("Alan Turing", "candidate")
    server.publish(alan, tomorrow(9), tomorrow(12))
    server.publish(grace, tomorrow(10), tomorrow(13))

    sign_in(page, server)
    pick(page, alan, grace)
    slot = show_hour(page, tomorrow(10))
    expect(slot).to_have_class(has_class("slot"))
    expect(hour_cell(page, tomorrow(11))).to_have_class(has_class("slot"))
    expect(hour_cell(page, tomorrow(9))).not_to_have_class(has_class("slot"))
    expect(hour_cell(page, tomorrow(12))).not_to_have_class(has_class("slot"))
    assert "Alan Turing with Grace Hopper" in (slot.get_attribute("title") or "")

    slot.click()
    details = page.locator("#hour-details")
    expect(details.locator(".panel")).to_have_text(["Alan Turing with Grace Hopper"])
    expect(details).to_contain_text("11:00–12:00 (Europe/Berlin)")
    screenshot(page, "week.png")

    page.get_by_label("Time zone").select_option("UTC")
    expect(show_hour(page, tomorrow(10))).to_have_attribute("data-hour", "10")
    expect(hour_cell(page, tomorrow(10))).to_have_class(has_class("slot"))


def test_dragging_over_hours_adds_them_through_a_job_and_a_click_removes_one(
        page: Page, server: Server) -> None:
    margaret = server.person("Margaret Hamilton", "interviewer")
    sign_in(page, server)
    pick(page, margaret)
    page.get_by_label("adds or removes availability of").check()
    expect(page.get_by_label("Person whose availability to edit")).to_have_value(margaret.id)

    first, last = show_hour(page, tomorrow(14)), hour_cell(page, tomorrow(16))
    start, end = first.bounding_box(), last.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(end["x"] + 10, end["y"] + 10, steps=5)
    page.mouse.up()
    for hour in (14, 15, 16):
        expect(hour_cell(page, tomorrow(hour))).to_have_class(has_class("pending"))
    for hour in (14, 15, 16):
        cell = hour_cell(page, tomorrow(hour))
        expect(cell).not_to_have_class(has_class("pending"))
        expect(cell.locator(".stripe")).to_have_class(has_class("free"))
    expect(page.locator("#status")).to_have_text(re.compile("Adding 3 hour.*: done"))
    assert server.availability(margaret, tomorrow()) == [
        {"start": z(tomorrow(14)), "end": z(tomorrow(17))}]

    last.click()
    expect(last.locator(".stripe")).not_to_have_class(has_class("free"))
    expect(page.locator("#status")).to_have_text(re.compile("Removing 1 hour.*: done"))
    assert server.availability(margaret, tomorrow()) == [
        {"start": z(tomorrow(14)), "end": z(tomorrow(16))}]


def test_a_match_is_proposed_then_booked_and_an_interview_cancelled(
        page: Page, server: Server) -> None:
    pool = [server.person(name, "interviewer")
            for name in ("Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov")]
    dana, fox, walter = (server.person(name, "candidate")
                         for name in ("Dana Scully", "Fox Mulder", "Walter Skinner"))
    for interviewer in pool:
        server.publish(interviewer, tomorrow(9), tomorrow(12))
    server.publish(dana, tomorrow(9), tomorrow(11))
    server.publish(fox, tomorrow(9), tomorrow(10))

    sign_in(page, server)
    pick(page, dana, fox, walter, *pool)
    show_hour(page, tomorrow(9))
    day = tomorrow().astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    page.get_by_label("From (day)").fill(day)
    page.get_by_label("To (day, included)").fill(day)
    page.get_by_role("button", name="Find a schedule").click()

    expect(page.locator("#match-progress")).to_contain_text("Match job succeeded")
    rows = page.locator("#match-interviews tbody tr")
    expect(rows).to_have_count(2)
    panel = "Barbara Liskov, Edsger Dijkstra, Katherine Johnson"
    expect(rows.nth(0)).to_contain_text(f"Fox Mulder{panel}")
    expect(rows.nth(1)).to_contain_text(f"Dana Scully{panel}")
    expect(page.locator("#match-unscheduled")).to_have_text(
        "Walter Skinner: has no free hour in the window")
    expect(hour_cell(page, tomorrow(9))).to_have_class(has_class("proposed"))
    expect(hour_cell(page, tomorrow(10))).to_have_class(has_class("proposed"))
    screenshot(page, "match.png")

    page.get_by_role("button", name="Book these 2 interviews").click()
    expect(page.locator("#match-result h3")).to_have_text("Booked")
    expect(hour_cell(page, tomorrow(9))).to_have_class(has_class("interview"))
    expect(hour_cell(page, tomorrow(10))).to_have_class(has_class("interview"))
    booked = server.interviews_of(fox)
    assert [(i["start"], i["candidate"]) for i in booked] == [(z(tomorrow(9)), fox.id)]

    listed = page.locator(f'#interviews-list tr[data-interview="{booked[0]["id"]}"]')
    expect(listed).to_contain_text("Fox Mulder")
    listed.get_by_role("button", name="Cancel").click()
    listed.get_by_role("button", name="Yes, cancel it").click()
    expect(listed).to_have_count(0)
    expect(hour_cell(page, tomorrow(9))).not_to_have_class(has_class("interview"))
    assert server.call("GET", f"/v1/interviews/{booked[0]['id']}").status_code == 404
    assert len(server.interviews_of(dana)) == 1

    page.get_by_label("Calendar feed of").select_option(label="Dana Scully")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download .ics").click()
    feed = download.value.path().read_text()
    assert feed.startswith("BEGIN:VCALENDAR") and "Interviews: Dana Scully" in feed
    assert feed.count("BEGIN:VEVENT") == 1


def test_the_main_controls_work_from_the_keyboard(page: Page, server: Server) -> None:
    ida = server.person("Ida Rhodes", "candidate")
    john = server.person("John Backus", "interviewer")
    server.publish(ida, tomorrow(13), tomorrow(15))
    server.publish(john, tomorrow(14), tomorrow(15))
    page.goto(server.url + "/")

    page.keyboard.press("Tab")
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.type(server.admin_key)
    page.keyboard.press("Enter")
    expect(page.locator("#workspace")).to_be_visible()

    for person in (ida, john):
        page.get_by_label("Search by name").focus()
        page.keyboard.type(person.name)
        page.keyboard.press("Tab")  # the role filter
        page.keyboard.press("Tab")  # the one person found
        expect(page.locator(f"#person-{person.id}")).to_be_focused()
        page.keyboard.press("Space")
        expect(page.locator(f"#person-{person.id}")).to_be_checked()
        page.get_by_label("Search by name").fill("")

    target = show_hour(page, tomorrow(14))
    expect(target).to_have_class(has_class("slot"))
    page.locator('#week-grid button.cell[tabindex="0"]').focus()
    for _ in range(8):  # to the first day and the first hour, whichever hour had the focus
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Home")
    for _ in range(int(target.get_attribute("data-day") or 0)):
        page.keyboard.press("ArrowRight")
    for _ in range(int(target.get_attribute("data-hour") or 0)):
        page.keyboard.press("ArrowDown")
    expect(target).to_be_focused()
    assert page.locator('#week-grid button.cell[tabindex="0"]').count() == 1
    page.keyboard.press("Enter")
    expect(page.locator("#hour-details .panel")).to_have_text(["Ida Rhodes with John Backus"])

    page.get_by_role("button", name="Previous week").focus()
    shown = page.locator("#week-title").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("#week-title")).not_to_have_text(shown)
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("API key")).to_be_focused()


def test_a_name_with_a_script_tag_is_shown_as_text(page: Page, server: Server) -> None:
    name = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    mallory = server.person(name, "candidate")
    sign_in(page, server)
    pick(page, mallory)
    expect(page.locator(f'label[for="person-{mallory.id}"] .name')).to_have_text(name)
    expect(page.locator("#selected-people")).to_contain_text(name)
    assert page.locator("body script, body img").count() == 0  # no dialog either: see `page`


def test_a_candidate_key_sees_itself_and_interviewers_but_no_other_candidate(
        page: Page, server: Server) -> None:
    tim = server.person("Tim Berners-Lee", "candidate")
    other = server.person("Linus Other-Candidate", "candidate")
    radia = server.person("Radia Perlman", "interviewer")
    server.publish(radia, tomorrow(9), tomorrow(12))
    server.publish(tim, tomorrow(10), tomorrow(11))
    server.publish(other, tomorrow(9), tomorrow(12))

    sign_in(page, server, tim.key)
    expect(page.locator("#whoami")).to_have_text("Signed in as Tim Berners-Lee (candidate)")
    people = page.locator("#people-list")
    expect(people).to_contain_text("Radia Perlman")
    expect(people).not_to_contain_text("Linus")
    page.get_by_label("Filter by role").select_option("candidate")
    expect(people.locator("li")).to_have_count(1)
    expect(page.locator(f"#person-{tim.id}")).to_be_checked()
    for admin_only in ("#match", "#add-person"):
        expect(page.locator(admin_only)).to_be_hidden()
    expect(page.get_by_label("Person whose availability to edit").locator("option")).to_have_text(
        ["Tim Berners-Lee"])

    page.get_by_label("Filter by role").select_option("")
    pick(page, radia)
    expect(show_hour(page, tomorrow(10))).to_have_class(has_class("slot"))
    expect(hour_cell(page, tomorrow(9))).not_to_have_class(has_class("slot"))
    expect(page.locator("body")).not_to_contain_text("Linus")


def test_an_interviewer_key_edits_only_its_own_hours_and_cannot_match(
        page: Page, server: Server) -> None:
    hedy = server.person("Hedy Lamarr", "interviewer")
    claude = server.person("Claude Shannon", "interviewer")
    sign_in(page, server, hedy.key)
    expect(page.locator("#whoami")).to_have_text("Signed in as Hedy Lamarr (interviewer)")
    pick(page, claude)
    expect(page.get_by_label("Person whose availability to edit").locator("option")).to_have_text(
        ["Hedy Lamarr"])
    for admin_only in ("#match", "#add-person"):
        expect(page.locator(admin_only)).to_be_hidden()

    page.get_by_label("adds or removes availability of").check()
    show_hour(page, tomorrow(18)).click()
    expect(page.locator("#status")).to_have_text(re.compile("Adding 1 hour.*: done"))
    assert server.availability(hedy, tomorrow()) == [
        {"start": z(tomorrow(18)), "end": z(tomorrow(19))}]
    assert server.availability(claude, tomorrow()) == []
