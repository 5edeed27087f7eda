"""A production API process bounds each database statement (api/wsgi.py): a request stuck
behind a lock that is never released answers 503 and frees its thread, instead of holding it
until the front gives up."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from api import wsgi
from api.app import create_app
from models import make_engine
from tests.api.conftest import key_for
from tests.api.test_principals import runtime_of
from workers.queue.factory import create_runtime
from workers.settings import Settings


def test_the_production_app_bounds_each_statement_at_a_minute(
        monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("BROKER_URL", raising=False)
    app = wsgi.create()
    try:
        with runtime_of(app).engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1min"
    finally:
        wsgi.close()


def test_a_write_behind_a_held_lock_answers_503_and_changes_nothing(
        settings: Settings, database_url: str) -> None:
    runtime = create_runtime(settings, statement_timeout=1)
    holder = make_engine(database_url)
    try:
        admin = key_for(create_app(runtime))
        person = admin.person("interviewer", name="Ada")
        with holder.connect() as lock:
            lock.execute(text("SELECT 1 FROM people WHERE id = :id FOR UPDATE"),
                         {"id": person["id"]})
            started = time.monotonic()
            r = admin.patch(f"/v1/people/{person['id']}", {"name": "Grace"})
            waited = time.monotonic() - started
            lock.rollback()
        assert r.status_code == 503, r.json
        assert r.mimetype == "application/problem+json"
        assert waited < 10
        assert admin.get(f"/v1/people/{person['id']}").json["name"] == "Ada"
    finally:
        runtime.close()
        holder.dispose()
