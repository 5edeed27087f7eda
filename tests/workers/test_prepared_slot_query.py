"""The slot query is a PostgreSQL prepared statement: prepared once on each connection, kept
through a rolled-back transaction, and prepared again on a connection that replaces one."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from models import make_engine
from workers.free_hours import hours_all_free, roles_and_hours_all_free

START = datetime(2030, 1, 7, 9, tzinfo=UTC)
QUERIES: dict[str, Callable[[Session], Any]] = {
    "roles_and_all_free": lambda s: roles_and_hours_all_free(
        s, [uuid.uuid4()], START, START + timedelta(weeks=4), 64),
    "all_free": lambda s: hours_all_free(s, [uuid.uuid4()], START, START + timedelta(weeks=4),
                                         64),
}


@pytest.fixture
def engine(workers_database_url: str) -> Iterator[Engine]:
    """An engine of the test's own, so that its connections start with nothing prepared."""
    engine = make_engine(workers_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def prepares(engine: Engine) -> Iterator[list[str]]:
    """The PREPARE statements the engine sends."""
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("PREPARE"):
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    yield sent
    event.remove(engine, "before_cursor_execute", capture)


def _prepared_here(session: Session) -> set[str]:
    return set(session.scalars(text("SELECT name FROM pg_prepared_statements")))


def _backend(session: Session) -> int:
    return int(session.scalar(text("SELECT pg_backend_pid()")) or 0)


@pytest.mark.parametrize("name", QUERIES)
def test_the_slot_query_is_prepared_once_per_connection(engine: Engine, prepares: list[str],
                                                        name: str) -> None:
    with Session(engine) as session:
        QUERIES[name](session)
        assert name in _prepared_here(session)
        QUERIES[name](session)
        QUERIES[name](session)

    assert len(prepares) == 1


@pytest.mark.parametrize("name", QUERIES)
def test_a_rolled_back_transaction_keeps_the_prepared_slot_query(
        engine: Engine, prepares: list[str], name: str) -> None:
    with Session(engine) as session:
        backend = _backend(session)
        QUERIES[name](session)
        session.rollback()

        QUERIES[name](session)

        assert _backend(session) == backend
        assert name in _prepared_here(session)
    assert len(prepares) == 1


@pytest.mark.parametrize("name", QUERIES)
def test_a_connection_that_replaces_an_invalidated_one_prepares_the_slot_query_again(
        engine: Engine, prepares: list[str], name: str) -> None:
    with Session(engine) as session:
        backend = _backend(session)
        QUERIES[name](session)
        session.connection().invalidate()
        session.rollback()

        QUERIES[name](session)

        assert _backend(session) != backend
        assert name in _prepared_here(session)
    assert len(prepares) == 2
