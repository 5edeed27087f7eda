"""A SQLAlchemy statement run as a PostgreSQL prepared statement, prepared once per connection.

psycopg2 sends literal SQL, so PostgreSQL parses and plans a statement on every execution: for
the slot query that is twice its execution time. `PREPARE` plans it once per connection (after
five executions PostgreSQL may keep a generic plan: for the slot query it is the same plan, see
tests/bench/test_query_plans.py). The statement is compiled from the SQLAlchemy construct,
never written by hand, and run as a typed `text()`, so that its parameters and results pass
through the same types (aware UTC datetimes, UUIDs) as the construct's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, CursorResult, bindparam, column, text
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.sql.expression import SelectBase, TextualSelect

# $1, $2 …, as PREPARE takes them (a parameter used twice keeps its number).
_NUMBERED = PGDialect_psycopg2(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
_PREPARED = "interview_calendar_prepared"  # the names prepared on a DBAPI connection


class Prepared:
    """`statement` prepared as `name` on each PostgreSQL connection that runs it.

    Which connections have it is kept in the pool's `info` of the DBAPI connection, which the
    pool clears when it replaces or recycles one, so a new connection prepares it again. A
    PREPARE is not transactional: a rolled-back transaction keeps it."""

    def __init__(self, name: str, statement: SelectBase) -> None:
        compiled = statement.compile(dialect=_NUMBERED)
        binds = [compiled.binds[key] for key in compiled.positiontup or ()]
        types = ", ".join(b.type.compile(dialect=_NUMBERED) for b in binds)
        self.name = name
        self.prepare = f"PREPARE {name} ({types}) AS {compiled.string}"
        self.execute: TextualSelect = (
            text(f"EXECUTE {name} ({', '.join(f':{b.key}' for b in binds)})")
            .bindparams(*(bindparam(b.key, type_=b.type) for b in binds))
            .columns(*(column(f"c{i}", c.type) for i, c in enumerate(statement.selected_columns))))

    def run(self, connection: Connection,
            parameters: Mapping[str, Any]) -> CursorResult[*tuple[Any, ...]]:
        """Execute the statement on `connection` (a PostgreSQL one), preparing it first if this
        DBAPI connection has not yet."""
        prepared: set[str] = connection.info.setdefault(_PREPARED, set())
        if self.name not in prepared:
            connection.exec_driver_sql(self.prepare)
            prepared.add(self.name)
        return connection.execute(self.execute, parameters)
