"""Engine and session factory. Sessions' lifecycles belong to the callers (request, job runner)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]
READ_ONLY = "interview_calendar_read_only"


def _json(value: Any) -> str:
    """JSON columns through orjson: a match's result is megabytes, written in one statement."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the connection settings each backend needs to be safe under concurrency."""
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
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=5,
        # JIT compiles a plan whose cost is overestimated (generate_series' row estimate) and
        # added tens of milliseconds to slot queries that take one: never worth it here.
        connect_args={"connect_timeout": 3, "application_name": "interview-calendar",
                      "options": "-c jit=off"},
        **kwargs,
    )


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


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)
