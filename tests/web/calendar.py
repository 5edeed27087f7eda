"""What the browser tests share: the server's API over HTTP (to set up and check), and the
steps a user takes on the page."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Locator, Page, expect

HTTP_TIMEOUT = 10
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    key: str


@dataclass(frozen=True)
class Server:
    """The running app, and its API as the admin (or another key) calls it."""

    url: str
    admin_key: str

    def call(self, method: str, path: str, body: Any = None, key: str | None = None,
             **headers: str) -> requests.Response:
        return requests.request(method, self.url + path, json=body, timeout=HTTP_TIMEOUT,
                                headers={"Authorization": f"Bearer {key or self.admin_key}",
                                         **headers})

    def person(self, name: str, role: str) -> Person:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        r = self.call("POST", "/v1/people", {"name": name, "email": email, "role": role})
        assert r.status_code == 201, r.text
        return Person(r.json()["id"], name, r.json()["api_key"])

    def publish(self, person: Person, start: datetime, end: datetime) -> None:
        r = self.call("POST", f"/v1/people/{person.id}/availability",
                      {"ranges": [{"start": z(start), "end": z(end)}]}, Prefer="wait=10")
        assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text

    def get(self, path: str) -> Any:
        """The answer of a GET that must succeed."""
        r = self.call("GET", path)
        assert r.status_code == 200, r.text
        return r.json()

    def availability(self, person: Person, day: datetime) -> list[dict[str, str]]:
        ranges: list[dict[str, str]] = self.get(
            f"/v1/people/{person.id}/availability?from={z(day)}&to={z(day + timedelta(days=1))}"
        )["ranges"]
        return ranges

    def add_calendar(self, person: Person, url: str) -> dict[str, Any]:
        """Register the feed and wait for its first read; the calendar."""
        r = self.call("POST", f"/v1/people/{person.id}/calendars", {"url": url},
                      Prefer="wait=10")
        assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
        calendar: dict[str, Any] = r.json()["result"]
        return calendar

    def interviews_of(self, person: Person) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get(f"/v1/interviews?person={person.id}")["interviews"]
        return found


def tomorrow(hour: int = 0) -> datetime:
    """An hour of tomorrow (UTC): always ahead, whatever the time the tests run."""
    day = datetime.now(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sign_in(page: Page, server: Server, key: str | None = None) -> None:
    page.goto(server.url + "/")
    page.get_by_label("API key").fill(key or server.admin_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#workspace")).to_be_visible()
    expect(page.locator("#week-grid button.cell").first).to_be_visible()


def pick(page: Page, *people: Person) -> None:
    """Tick each person in the people list, found by searching their name."""
    search = page.get_by_label("Search by name")
    for person in people:
        search.fill(person.name)
        page.locator(f"#person-{person.id}").check()
    search.fill("")


def hour_cell(page: Page, moment: datetime) -> Locator:
    return page.locator(f'#week-grid button.cell[data-start="{z(moment)}"]')


def show_hour(page: Page, moment: datetime) -> Locator:
    """Go forward week by week (at most two) until the hour is on the grid."""
    cell = hour_cell(page, moment)
    grid = page.locator("#week-grid")
    for _ in range(2):
        if cell.count():
            break
        shown = grid.get_attribute("data-week") or ""
        page.get_by_role("button", name="Next week").click()
        expect(grid).not_to_have_attribute("data-week", shown)
    expect(cell).to_be_visible()
    return cell


def has_class(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){name}(\s|$)")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
