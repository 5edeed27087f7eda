"""Engine and session factory. Sessions' lifecycles belong to the callers (request, job runner)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

SessionFactory = sessionmaker[Session]
READ_ONLY = "interview_calendar_read_only"
PER_STATEMENT = "interview_calendar_per_statement"
RESTED_AT = "interview_calendar_rested_at"  # when the pooled connection was last given back
PING_AFTER_SECONDS = 1.0


def _json(value: Any) -> str:
    """JSON columns through orjson: a match's result is megabytes, written in one statement."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, *, statement_timeout: int | None = None, **kwargs: Any) -> Engine:
    """An engine with the connection settings each backend needs to be safe under concurrency.
    `statement_timeout` (seconds, PostgreSQL) cancels any longer statement, lock waits included."""
    kwargs = {"json_serializer": _json, "json_deserializer": orjson.loads, **kwargs}
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")  # 2.1 defaults to psycopg 3
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    options = "-c jit=off" + (f" -c statement_timeout={statement_timeout}s"
                              if statement_timeout else "")
    engine = create_engine(parsed, **{
        "pool_size": 5,
        "max_overflow": 10,
        "pool_timeout": 5,
        # JIT compiles a plan whose cost is overestimated (generate_series' row estimate) and
        # added tens of milliseconds to slot queries that take one: never worth it here.
        "connect_args": {"connect_timeout": 3, "application_name": "interview-calendar",
                         "options": options},
        **kwargs,
    })
    event.listen(engine, "checkin", _rest)
    event.listen(engine, "checkout", _ping_if_rested)
    event.listen(engine, "begin", _begin_per_statement)
    return engine


def _begin_per_statement(connection: Connection) -> None:
    """`per_statement`'s connections run in the driver's autocommit: psycopg2 then sends no
    BEGIN, and the ROLLBACK that ends the session sends nothing. (SQLAlchemy's
    AUTOCOMMIT isolation level would do the same, but costs a `SET` at every checkin.)"""
    if connection.get_execution_options().get(PER_STATEMENT):
        pooled = connection.connection
        pooled.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        pooled.info[PER_STATEMENT] = True


def _rest(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    """(`dbapi_connection` is None when the pool gives back one it invalidated.)"""
    if record.info.pop(PER_STATEMENT, False) and dbapi_connection is not None:
        dbapi_connection.autocommit = False  # back in the mode the engine gave it
    record.info[RESTED_AT] = time.monotonic()


def _ping_if_rested(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Ping a pooled connection that has rested a second or more before it is used: the one
    the database dropped while it rested (a restart, an idle timeout, a proxy) is replaced
    before any request sees it, and a connection in use all along costs no round trip.

    One that dies while busy fails its statement instead: the API answers 503 and the pool
    drops every connection made before it (SQLAlchemy's disconnect handling)."""
    rested_at = record.info.get(RESTED_AT)
    if rested_at is None or time.monotonic() - rested_at < PING_AFTER_SECONDS:
        return
    mode = dbapi_connection.autocommit
    try:
        dbapi_connection.autocommit = True  # one round trip: no BEGIN, no ROLLBACK
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.autocommit = mode
    except Exception as error:  # any failure: the pool connects again (up to three times)
        raise exc.DisconnectionError(str(error)) from error


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """Foreign keys are off by default in SQLite; WAL lets readers run beside the one writer."""
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """Writers take the write lock up front: a deferred transaction that reads and then writes
    fails with SQLITE_BUSY at once, without waiting, when another writer got in between.
    Read-only transactions begin deferred, so a long write does not stall them (WAL)."""
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only(engine: Engine) -> Engine:
    """The same engine for transactions that never write: a deferred BEGIN on SQLite, and on
    PostgreSQL one snapshot for the whole transaction (REPEATABLE READ, which never fails a
    transaction that only reads), so that a request's queries agree with each other: a delivery
    and its attempts, a page and its next, read as of one moment."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    return engine.execution_options(**options)


def per_statement(engine: Engine) -> Engine:
    """The same engine for work whose statements need not agree with each other (an API
    request's GET, a worker's claim, which is one UPDATE): on PostgreSQL each statement is its
    own transaction, in autocommit, so one statement is one round trip (no BEGIN, no COMMIT or
    ROLLBACK). SQLite keeps `read_only`'s deferred transaction, which a write as its first
    statement may use (it waits for the lock, as any writer does)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**{PER_STATEMENT: True})
    return read_only(engine)


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)
