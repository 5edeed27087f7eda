"""The main slot queries use the hour indexes, and PostgreSQL never JIT-compiles them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from models import make_engine
from tests.conftest import fresh_database
from workers.free_hours import (
    free_by_hour,
    free_seconds,
    hours_all_free,
    offered_with_reasons,
    someone_free,
)

START = datetime(2030, 1, 7, 9, tzinfo=UTC)
HOURS = 160
INTERVIEWERS = 300


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """300 interviewers and 1,200 candidates, each free at a third of 160 hours; each
    interviewer has a calendar busy at a tenth of the hours of a year around them."""
    with fresh_database("ic_plans") as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("""
                INSERT INTO people (id, name, email, email_key, role, created_at)
                SELECT gen_random_uuid(), 'P' || n, n || '@example.com', n || '@example.com',
                       CASE WHEN n <= :interviewers THEN 'interviewer' ELSE 'candidate' END, now()
                FROM generate_series(1, 1500) AS n"""), {"interviewers": INTERVIEWERS})
            conn.execute(text("""
                INSERT INTO availability_hours (person_id, start, role)
                SELECT p.id, :start + h * interval '1 hour', p.role
                FROM people p CROSS JOIN generate_series(0, :hours - 1) AS h
                WHERE random() < 0.33"""), {"start": START, "hours": HOURS})
            conn.execute(text("""
                INSERT INTO calendars (id, person_id, created_at, status, events, next_sync_at)
                SELECT gen_random_uuid(), id, now(), 'ok', 0, now() FROM people
                WHERE role = 'interviewer'"""))
            conn.execute(text("""
                INSERT INTO busy_hours (calendar_id, start, person_id)
                SELECT c.id, :start + h * interval '1 hour', c.person_id
                FROM calendars c CROSS JOIN generate_series(-180 * 24, 185 * 24) AS h
                WHERE random() < 0.1"""), {"start": START})
            conn.execute(text("ANALYZE"))
        yield engine
        engine.dispose()


def _plans(engine: Engine, call: Any) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE every statement that `call(session)` runs, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", capture)
        try:
            call(session)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        plans = []
        for statement, parameters in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            plans.append(cursor.fetchone()[0][0])
    return plans


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _indexes(plan: dict[str, Any]) -> set[str]:
    return {n["Index Name"] for n in _nodes(plan["Plan"]) if "Index Name" in n}


def _scans_every_hour(plan: dict[str, Any]) -> bool:
    return any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "availability_hours"
               for n in _nodes(plan["Plan"]))


def _busy_rows_read(plan: dict[str, Any]) -> int:
    return sum(n["Actual Loops"] * n["Actual Rows"] for n in _nodes(plan["Plan"])
               if n.get("Relation Name") == "busy_hours")


def _people(engine: Engine, role: str, n: int) -> list[uuid.UUID]:
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT id FROM people WHERE role = :role ORDER BY id "
                                      "LIMIT :n"), {"role": role, "n": n}))


def test_the_application_sessions_run_without_jit(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.scalar(text("SHOW jit")) == "off"


def test_hours_where_named_people_are_all_free_are_read_from_the_person_hour_index(
        engine: Engine) -> None:
    people = _people(engine, "candidate", 1) + _people(engine, "interviewer", 3)

    [plan] = _plans(engine, lambda s: hours_all_free(
        s, people, START, START + timedelta(hours=HOURS), limit=101))

    assert "pk_availability_hours" in _indexes(plan), json.dumps(plan)
    assert not _scans_every_hour(plan), json.dumps(plan)


def test_free_interviewers_per_hour_are_read_from_the_interviewer_only_index(
        engine: Engine) -> None:
    hours = [START + timedelta(hours=h) for h in range(0, HOURS, 3)]

    [plan] = _plans(engine, lambda s: free_by_hour(s, "interviewer", hours))

    assert "ix_availability_hours_interviewers" in _indexes(plan), json.dumps(plan)
    assert not _scans_every_hour(plan), json.dumps(plan)


def test_free_interviewers_per_hour_read_only_the_busy_hours_at_those_hours(
        engine: Engine) -> None:
    """A year of busy hours must not cost a candidate-only request: neither a scan of them all
    nor a probe of (person, hour) per offered hour."""
    hours = [START + timedelta(hours=h) for h in range(0, HOURS, 3)]

    [plan] = _plans(engine, lambda s: free_by_hour(s, "interviewer", hours))

    assert "ix_busy_hours_start_person_id" in _indexes(plan), json.dumps(plan)
    assert _busy_rows_read(plan) <= INTERVIEWERS * len(hours), json.dumps(plan)


def test_a_match_reads_only_the_busy_hours_of_its_window(engine: Engine) -> None:
    [plan] = _plans(engine, lambda s: free_seconds(s, "interviewer", None, START,
                                                    START + timedelta(hours=HOURS)))

    assert _busy_rows_read(plan) <= INTERVIEWERS * HOURS, json.dumps(plan)


def test_whether_anyone_is_free_per_hour_stops_at_the_first_free_interviewer(
        engine: Engine) -> None:
    [candidate] = _people(engine, "candidate", 1)
    with engine.connect() as conn:
        hours = list(conn.scalars(text("SELECT start FROM availability_hours WHERE person_id = "
                                       ":p ORDER BY start"), {"p": candidate}))

    [plan] = _plans(engine, lambda s: someone_free(s, candidate, "interviewer", hours))

    assert "ix_availability_hours_interviewers" in _indexes(plan), json.dumps(plan)
    assert not _scans_every_hour(plan), json.dumps(plan)
    probes = [n for n in _nodes(plan["Plan"])
              if n.get("Index Name") == "ix_availability_hours_interviewers"]
    # about one entry per probe (a third of the interviewers are free at any hour), not 100
    assert all(n["Actual Rows"] <= 3 for n in probes), json.dumps(plan)


def test_why_there_is_no_slot_reads_the_named_peoples_hours_and_their_busy_hours_only(
        engine: Engine) -> None:
    people = _people(engine, "candidate", 1) + _people(engine, "interviewer", 50)

    [plan] = _plans(engine, lambda s: offered_with_reasons(
        s, people, START, START + timedelta(hours=HOURS)))

    assert "pk_availability_hours" in _indexes(plan), json.dumps(plan)
    assert not _scans_every_hour(plan), json.dumps(plan)
    assert _busy_rows_read(plan) <= len(people) * HOURS, json.dumps(plan)
