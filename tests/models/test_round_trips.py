"""What a pooled PostgreSQL connection costs in round trips: a per-statement read runs without
BEGIN or ROLLBACK and gives its connection back in the transactional mode writers expect; a
connection is pinged only after it rested, so one the database dropped meanwhile is replaced
before anyone uses it."""

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from models import SessionFactory, make_engine, make_session_factory, per_statement
from models.db import PING_AFTER_SECONDS
from models.migrate import upgrade
from tests.conftest import fresh_database

# In a transaction, a statement after the first starts later than the transaction did; in
# autocommit every statement is a transaction of its own.
OWN_TRANSACTION = text("SELECT statement_timestamp() = transaction_timestamp()")


@pytest.fixture
def engine() -> Iterator[Engine]:
    with fresh_database("ic_round_trips") as url:
        upgrade(url)
        engine = make_engine(url, pool_size=1, max_overflow=0)  # one connection, lent in turn
        yield engine
        engine.dispose()


def _second_statement_alone(sessions: SessionFactory) -> bool:
    with sessions() as session:
        session.execute(text("SELECT pg_sleep(0.01)"))
        alone: bool = session.scalar(OWN_TRANSACTION)
        return alone


def test_a_per_statement_read_runs_each_statement_in_a_transaction_of_its_own(
        engine: Engine) -> None:
    assert _second_statement_alone(make_session_factory(per_statement(engine)))


def test_the_connection_goes_back_to_writers_in_a_transaction_that_can_roll_back(
        engine: Engine) -> None:
    writers = make_session_factory(engine)
    _second_statement_alone(make_session_factory(per_statement(engine)))
    assert not _second_statement_alone(writers)  # the same (only) connection, lent again
    with writers() as session:
        session.execute(text("CREATE TABLE scratch (n int)"))
        session.rollback()
    with writers() as session:
        assert session.scalar(text("SELECT to_regclass('scratch')")) is None


def _kill_the_pooled_connection(engine: Engine) -> None:
    with engine.connect() as conn:
        pid = conn.scalar(text("SELECT pg_backend_pid()"))
    with create_engine(engine.url, poolclass=NullPool).connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_connection_dropped_while_it_rested_is_replaced_before_use(engine: Engine) -> None:
    _kill_the_pooled_connection(engine)
    time.sleep(PING_AFTER_SECONDS + 0.2)
    with engine.connect() as conn:  # without the ping: OperationalError, server closed
        assert conn.scalar(text("SELECT 1")) == 1


def test_a_per_statement_connection_that_dies_in_use_fails_as_the_database_being_down(
        engine: Engine) -> None:
    """An OperationalError (the API's 503), and the pool goes on with a new connection."""
    with make_session_factory(per_statement(engine))() as session, \
            pytest.raises(OperationalError):
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT 1")) == 1
