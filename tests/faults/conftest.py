"""The fault suite's own helpers: catching a job in its middle, and one line per scenario."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from tests.stack import Calendar, wait_until

Tally = Callable[..., None]


@pytest.fixture
def tally(figures: Callable[[str], None]) -> Tally:
    """Records a scenario's line for the end of the run: submitted / completed / lost /
    duplicated, then whatever else the scenario measured."""
    def line(scenario: str, *, submitted: int, completed: int, duplicated: int,
             notes: str = "") -> None:
        figures(f"fault: {scenario}: submitted={submitted} completed={completed} "
                f"lost={submitted - completed} duplicated={duplicated}"
                + (f"; {notes}" if notes else ""))
    return line


@contextmanager
def writes_held(calendar: Calendar, table: str) -> Iterator[Callable[[], None]]:
    """Hold a SHARE lock on `table`: whoever writes to it waits, readers do not. Yields a
    function that waits until some session of the calendar's database is waiting for it, that
    is, a job has claimed its row, read the calendar and is in the middle of writing."""
    with calendar.engine.connect() as conn, conn.begin():
        conn.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))

        def blocked() -> bool:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = :table AND NOT l.granted"), {"table": table}).scalar()
            return bool(waiting)

        yield lambda: wait_until(blocked, 20, f"a job waiting to write to {table}")
