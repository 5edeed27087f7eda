"""Worker tests: a Runtime over PostgreSQL and over SQLite, on kombu's memory broker, no worker.

Publishing to `memory://` only queues the message; nothing consumes it, so a test decides when a
job runs (by claiming it, or by handing the message to its Celery task as a worker would) and
can read what was published. Each runtime publishes to a queue of its own.

The PostgreSQL database is this package's own, not the session-wide `database_url`: tests/api
keeps an embedded worker and a sweeper running on that one (and on the process-wide memory
broker) until the session ends, and they would claim and sweep these tests' jobs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.migrate import upgrade
from tests.conftest import ManualClock, fresh_database
from tests.workers.support import clear, make_runtime
from workers.queue.runtime import Runtime

BACKENDS = ("postgresql", "sqlite")


@pytest.fixture(scope="session")
def workers_database_url() -> Iterator[str]:
    """A PostgreSQL database of this package's own."""
    with fresh_database("ic_workers") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated as the embedded mode migrates its own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'calendar.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_runtime(workers_database_url: str) -> Iterator[Runtime]:
    runtime = make_runtime(workers_database_url)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_runtime(sqlite_url: str) -> Iterator[Runtime]:
    runtime = make_runtime(sqlite_url)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(params=BACKENDS)
def runtime(request: pytest.FixtureRequest) -> Runtime:
    """An empty calendar and an empty queue, on each backend in turn."""
    rt: Runtime = request.getfixturevalue(f"{request.param}_runtime")
    clear(rt)
    return rt


@pytest.fixture
def pg_runtime(postgresql_runtime: Runtime) -> Runtime:
    """An empty calendar and queue on PostgreSQL only, for what only PostgreSQL can do."""
    clear(postgresql_runtime)
    return postgresql_runtime


@pytest.fixture
def unreachable_broker(runtime: Runtime) -> Iterator[Runtime]:
    """A second runtime on the same database whose broker refuses connections."""
    broken = make_runtime(runtime.settings.database_url, broker_url="redis://127.0.0.1:1/0")
    yield broken
    broken.engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def clocked(runtime: Runtime, clock: ManualClock) -> Iterator[Runtime]:
    """A runtime on the same (emptied) database whose time moves only when `clock` is moved,
    and whose leases are renewed only when the test calls `renewer.renew_due()`."""
    moved = make_runtime(runtime.settings.database_url, clock)
    yield moved
    moved.engine.dispose()
