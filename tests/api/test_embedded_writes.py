"""Embedded mode's SQLite takes one writer at a time: a request must not wait for itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from celery import current_app
from flask.testing import FlaskClient

from api import keys
from api.app import create_app
from models.migrate import upgrade
from workers.runtime import create_runtime
from workers.settings import Settings


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[FlaskClient, str]]:
    """The app over a fresh SQLite file and the memory broker, with an admin key."""
    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    upgrade(url)
    previous = current_app._get_current_object()
    runtime = create_runtime(replace(Settings.from_env({}), database_url=url, broker_url=None))
    previous.set_default()
    previous.set_current()
    with runtime.sessions.begin() as session:
        key = keys.issue(session, "admin")
    yield create_app(runtime).test_client(), key
    runtime.engine.dispose()


def test_a_write_with_an_idempotency_key_answers_at_once_on_sqlite(
        embedded: tuple[FlaskClient, str]) -> None:
    client, key = embedded
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "once"}
    body = {"name": "Ada", "email": "ada@example.com", "role": "interviewer"}
    began = time.monotonic()
    first = client.post("/v1/people", json=body, headers=headers)
    took = time.monotonic() - began
    again = client.post("/v1/people", json=body, headers=headers)

    assert first.status_code == 201, first.get_json()
    assert took < 5, f"the request waited {took:.1f} s for its own lock"
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
