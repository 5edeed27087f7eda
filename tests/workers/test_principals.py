"""The principals' cache on its own: a TTL, a bound, positive answers only, and a fork."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from models import make_engine, make_session_factory
from tests.conftest import ManualClock
from workers import api_keys, principals
from workers.callers import Caller
from workers.principals import APPLICATION_NAME, TTL_SECONDS, Principals


@pytest.fixture
def engine(workers_database_url: str) -> Iterator[Engine]:
    engine = make_engine(workers_database_url)
    yield engine
    engine.dispose()


class CountedLookup:
    """The real lookup, counting the times it is asked."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = make_session_factory(engine)
        self.calls = 0

    def __call__(self, key: str) -> Caller | None:
        self.calls += 1
        with self.sessions() as session:
            return api_keys.lookup(session, key)

    def issue(self) -> str:
        with self.sessions.begin() as session:
            return api_keys.issue(session, "admin", ManualClock().now(), label="principals")


@pytest.fixture
def cache(engine: Engine) -> Iterator[tuple[Principals, ManualClock, CountedLookup]]:
    clock = ManualClock()
    cached = Principals(engine, clock)
    yield cached, clock, CountedLookup(engine)
    cached.close()


def test_a_key_is_looked_up_again_once_its_entry_is_ten_seconds_old(
        cache: tuple[Principals, ManualClock, CountedLookup]) -> None:
    cached, clock, lookup = cache
    key = lookup.issue()
    first = cached.resolve(key, lookup)
    assert first is not None and cached.resolve(key, lookup) == first
    clock.advance(TTL_SECONDS - 0.1)
    assert cached.resolve(key, lookup) == first and lookup.calls == 1
    clock.advance(0.1)
    assert cached.resolve(key, lookup) == first and lookup.calls == 2


def test_a_wrong_key_is_never_cached(
        cache: tuple[Principals, ManualClock, CountedLookup]) -> None:
    cached, _clock, lookup = cache
    for _ in range(3):
        assert cached.resolve("ic_wrong", lookup) is None
    assert lookup.calls == 3


def test_a_full_cache_drops_its_oldest_entry(
        cache: tuple[Principals, ManualClock, CountedLookup],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(principals, "CAPACITY", 2)
    cached, _clock, lookup = cache
    oldest, middle, newest = lookup.issue(), lookup.issue(), lookup.issue()
    for key in (oldest, middle, newest):
        cached.resolve(key, lookup)
    for key in (middle, newest):
        cached.resolve(key, lookup)
    assert lookup.calls == 3
    cached.resolve(oldest, lookup)
    assert lookup.calls == 4


def listeners(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
            "AND datname = current_database()"), {"name": APPLICATION_NAME}))


def test_after_a_fork_the_child_listens_on_a_connection_of_its_own(
        engine: Engine, cache: tuple[Principals, ManualClock, CountedLookup]) -> None:
    cached, _clock, lookup = cache
    key = lookup.issue()
    before = listeners(engine)
    cached.resolve(key, lookup)
    parents = listeners(engine) - before
    assert len(parents) == 1
    cached.after_fork()
    cached.resolve(key, lookup)
    assert lookup.calls == 2  # the parent's cache is not the child's
    assert parents < listeners(engine) and len(listeners(engine) - before) == 2
