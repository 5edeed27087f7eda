"""API tests: the Flask test client over PostgreSQL, with a real Celery worker in a thread.

The worker consumes kombu's in-memory broker exactly as the embedded mode does; the tests
under tests/integration run separate worker processes on Redis and RabbitMQ.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.app import create_app
from models.migrate import upgrade
from tests.conftest import truncate_all
from workers import api_keys
from workers.queue.embedded import EmbeddedWorker
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime
from workers.settings import Settings


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """The embedded worker delivers webhooks to receivers on 127.0.0.1 in this process."""
    return replace(Settings.from_env({}), database_url=database_url, broker_url=None,
                   sweep_interval_seconds=0.5, webhook_allow_private_networks=True)


@pytest.fixture(scope="session")
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = create_runtime(settings)
    worker = EmbeddedWorker(rt)
    worker.start()
    yield rt
    worker.stop()
    rt.close()


@pytest.fixture(autouse=True)
def clean(database_url: str) -> None:
    truncate_all(database_url)


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime)


@dataclass
class Api:
    """A JSON client acting with one API key."""

    client: FlaskClient
    key: str | None

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return {**out, **(headers or {})}

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.client.post(path, json=body, headers=self._headers(kw.pop("headers", None)),
                                **kw)

    def patch(self, path: str, body: Any = None, *,
              content_type: str = "application/merge-patch+json", **kw: Any) -> TestResponse:
        """A merge patch; `content_type` as sent (the body is JSON whatever it says)."""
        return self.client.patch(path, data=json.dumps(body), content_type=content_type,
                                 headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.client.put(path, json=body, headers=self._headers(kw.pop("headers", None)),
                               **kw)

    def delete(self, path: str, body: Any = None, **kw: Any) -> TestResponse:
        return self.client.delete(path, json=body,
                                  headers=self._headers(kw.pop("headers", None)), **kw)

    def as_key(self, key: str | None) -> Api:
        return Api(self.client, key)

    def person(self, role: str, name: str = "Pat", email: str | None = None) -> dict[str, Any]:
        email = email or f"{name.lower()}.{role}.{uuid.uuid4().hex[:12]}@example.com"
        r = self.post("/v1/people", {"name": name, "email": email, "role": role})
        assert r.status_code == 201, r.json
        return r.json  # type: ignore[return-value]


AppFactory = Callable[..., Flask]


@pytest.fixture
def limited_app(settings: Settings) -> Iterator[AppFactory]:
    """Build apps with their own settings (and limiter); their engines go at teardown."""
    runtimes: list[Runtime] = []

    def build(**changes: object) -> Flask:
        rt = create_runtime(replace(settings, **changes))  # type: ignore[arg-type]
        runtimes.append(rt)
        return create_app(rt)

    yield build
    for rt in runtimes:
        rt.close()


def key_for(app: Flask, role: str = "admin") -> Api:
    """A new key of `role` that names no person, on a client of `app`."""
    rt: Runtime = app.extensions["interview_calendar"]
    with rt.sessions.begin() as session:
        key = api_keys.issue(session, role, rt.clock.now(), label="limits")
    return Api(app.test_client(), key)


def assert_too_many(r: TestResponse) -> None:
    """A 429 problem with a Retry-After of at most a minute."""
    assert r.status_code == 429, r.json
    assert r.mimetype == "application/problem+json"
    assert r.json is not None
    assert r.json["status"] == 429 and r.json["title"] == "Too many requests"
    assert 1 <= int(r.headers["Retry-After"]) <= 60


@pytest.fixture
def admin(app: Flask, runtime: Runtime) -> Api:
    with runtime.sessions.begin() as session:
        key = api_keys.issue(session, "admin", runtime.clock.now(), label="tests")
    return Api(app.test_client(), key)


@pytest.fixture
def anon(app: Flask) -> Api:
    return Api(app.test_client(), None)


def next_hour(n: int = 0, *, base: datetime | None = None) -> datetime:
    """The on-the-hour instant n hours after the next full hour (UTC)."""
    start = (base or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return start + timedelta(hours=n + 1)


def hours_from_now(n: int, *, base: datetime | None = None) -> str:
    """`next_hour` as ISO 8601 with Z."""
    return next_hour(n, base=base).isoformat().replace("+00:00", "Z")


def span(first: int, last: int) -> dict[str, str]:
    """A range from hour `first` to hour `last` (exclusive) after the next full hour."""
    return {"start": hours_from_now(first), "end": hours_from_now(last)}


WAIT = {"Prefer": "wait=10"}


def publish(api: Api, person: dict[str, Any], *ranges: dict[str, str]) -> None:
    """Add availability and wait for its job."""
    r = api.post(f"/v1/people/{person['id']}/availability", {"ranges": list(ranges)},
                 headers=WAIT)
    assert r.status_code == 200 and r.json["status"] == "succeeded", r.json


def book(api: Api, candidate: dict[str, Any], interviewers: list[dict[str, Any]],
         hour: int) -> TestResponse:
    return api.post("/v1/interviews", {"candidate": candidate["id"],
                                       "interviewers": [i["id"] for i in interviewers],
                                       "start": hours_from_now(hour)})


@dataclass
class Embedded:
    client: FlaskClient
    key: str  # an admin's
    runtime: Runtime


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Embedded]:
    """The app over a fresh SQLite file and the memory broker, with an admin key."""
    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    upgrade(url)
    runtime = create_runtime(replace(Settings.from_env({}), database_url=url, broker_url=None))
    with runtime.sessions.begin() as session:
        key = api_keys.issue(session, "admin", runtime.clock.now())
    yield Embedded(create_app(runtime).test_client(), key, runtime)
    runtime.engine.dispose()
