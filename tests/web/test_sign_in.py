"""Signing in among many people: the page learns who the caller is from one GET /v1/me, not
by asking whose API keys it may list, one person at a time."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

from tests.web.calendar import Server, sign_in

pytestmark = pytest.mark.timeout(120)

PEOPLE = 300  # well under the server's default write limit (600 a minute for the admin key)


def test_an_interviewer_among_many_people_is_known_after_one_request(
        page: Page, server: Server, figures: Callable[[str], None]) -> None:
    people = [server.person(f"Interviewer {n:03}", "interviewer") for n in range(PEOPLE)]
    me = people[-1]  # the last one listed
    sent: list[str] = []

    def note(request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/v1/"):
            sent.append(path)

    page.on("request", note)
    began = time.monotonic()
    sign_in(page, server, me.key)
    expect(page.locator("#whoami")).to_have_text(f"Signed in as {me.name} (interviewer)")
    took = time.monotonic() - began
    asked_who = [p for p in sent if p == "/v1/me" or p.endswith("/api-keys")]
    figures(f"web sign-in, an interviewer among {PEOPLE} people: {len(sent)} API requests "
            f"({len(asked_who)} to learn who the caller is), {took:.1f} s")
    assert asked_who == ["/v1/me"]
    assert len(sent) <= 10, sent  # /v1/me, the people, then the week: a few requests in all
    expect(page.locator(f"#person-{me.id}")).to_be_checked()
