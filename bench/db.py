"""Direct database access for the baselines and for watching jobs finish (psycopg2, no ORM)."""

from __future__ import annotations

import time
from collections.abc import Collection

import psycopg2
import psycopg2.extensions
from sqlalchemy.engine import make_url


def connect(database_url: str) -> psycopg2.extensions.connection:
    """An autocommit connection with the application's session settings (no JIT)."""
    url = make_url(database_url)
    conn = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                            password=url.password, dbname=url.database, options="-c jit=off")
    conn.autocommit = True
    return conn


def wait_for_jobs(conn: psycopg2.extensions.connection, ids: Collection[str],
                  pause: float = 0.005, timeout: float = 900.0) -> float:
    """Block until every job in `ids` has finished; returns the time it happened (perf_counter).
    Fails if one of them failed. One primary-key read per poll: polling must not load the
    machine it measures."""
    deadline = time.monotonic() + timeout
    waiting = list(ids)
    with conn.cursor() as cursor:
        while waiting:
            cursor.execute("SELECT status, error FROM jobs WHERE id = %s", (waiting[-1],))
            status, error = cursor.fetchone()
            if status == "failed":
                raise RuntimeError(f"job {waiting[-1]} failed: {error}")
            if status == "succeeded":
                waiting.pop()
                continue
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(waiting)} jobs not finished within {timeout} s")
            time.sleep(pause)
    return time.perf_counter()


def wait_until_idle(conn: psycopg2.extensions.connection, timeout: float = 900.0) -> None:
    """Block until no job is queued or running: the next measurement starts on idle workers."""
    deadline = time.monotonic() + timeout
    with conn.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
            if not cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"jobs still queued or running after {timeout} s")
            time.sleep(0.2)


def scratch_copy(conn: psycopg2.extensions.connection, name: str) -> None:
    """A fresh table shaped and indexed like availability_hours, for the baselines' writes."""
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE availability_hours INCLUDING ALL)")


def job_phases(conn: psycopg2.extensions.connection, ids: list[str]) -> str:
    """Medians of the jobs' own timestamps: submission to the worker's claim, claim to end."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
            "started_at - submitted_at)), percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            "extract(epoch FROM finished_at - started_at)) FROM jobs WHERE id = ANY(%s::uuid[])",
            (ids,))
        queued, ran = cursor.fetchone()
    return (f"median submitted → claimed by a worker {queued * 1000:.1f} ms, "
            f"claimed → finished {ran * 1000:.1f} ms (the jobs' timestamps)")
