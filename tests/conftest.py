"""Shared fixtures: a fresh PostgreSQL database migrated by Alembic, and broker URLs.

The services are the real ones this machine runs (see docs/TESTING.md); nothing is skipped
when one is missing: a test that needs it fails and says which.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from models import Base
from models.migrate import scratch_database
from tests.feeds import FeedServer, feed_server

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL",
                              "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
# The production stack's fixtures, for integration and faults.
pytest_plugins = ("tests.network", "tests.stack")
TABLES = tuple(t.name for t in reversed(Base.metadata.sorted_tables))  # children first
FIGURES: list[str] = []  # printed at the end of the run: the figures CI reports


@pytest.fixture
def figures() -> Callable[[str], None]:
    """Records a line for the summary of figures that ends the run's output."""
    return FIGURES.append


@pytest.hookimpl(trylast=True)  # after the slowest durations: the last thing before the tally
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    """A calendar feed server on 127.0.0.1 (tests/feeds.py)."""
    with feed_server() as server:
        yield server


def fresh_database(prefix: str, revision: str | None = "head") -> AbstractContextManager[str]:
    """A PostgreSQL database of our own, brought up by the real migrations to `revision` (None:
    empty), dropped after."""
    return scratch_database(PG_ADMIN_URL, prefix, revision)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """The API tests' database (they keep an embedded worker and sweep running on it)."""
    with fresh_database("ic_test") as url:
        yield url


def truncate_all(url: str) -> None:
    """Empty every table. The sweep may hold row locks meanwhile: retry on a deadlock."""
    engine = create_engine(url)
    try:
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
                return
            except OperationalError:
                if attempt == 4:
                    raise
    finally:
        engine.dispose()


class ManualClock:
    """A clock that moves only when told: tests of leases, expiry and retries move time
    instead of sleeping. `sleep` moves it too."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)
        self._monotonic = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds
