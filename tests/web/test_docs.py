"""/docs renders the whole API in a browser under its Content-Security-Policy, and no other
site can frame it (it is where a user pastes a key into "Authorize")."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.web.calendar import Server


def test_the_docs_render_every_operation_without_breaking_their_policy(
        page: Page, server: Server) -> None:
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            console.append(message.text)

    page.on("console", note)
    answer = page.goto(server.url + "/docs")
    assert answer is not None
    headers = answer.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 30
    assert console == [], console  # a CSP violation is reported here
