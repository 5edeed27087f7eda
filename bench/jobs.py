"""Work through the queue: a tiny job's round trip, the enqueue rate, many small writes."""

from __future__ import annotations

import time

from sqlalchemy import column, insert, table
from sqlalchemy.types import DateTime, String, Uuid

from bench import noop
from bench.client import Call, Client, send_all, throughput
from bench.context import Bench, post, ranges_body
from bench.db import job_phases, scratch_copy, wait_for_jobs, wait_until_idle
from bench.queries import Endpoints
from bench.stats import Row, Summary
from models import make_engine
from scheduling.hours import HOUR, Range


def one_hour_adds(bench: Bench, n: int) -> list[Call]:
    """n one-hour adds, each a new hour of a candidate in the `writes` window (from the last)."""
    hours = bench.data.writes.hours()
    return [post(f"/v1/people/{bench.ids[-1 - i // len(hours)]}/availability",
                 {"ranges": ranges_body([Range(hours[i % len(hours)],
                                               hours[i % len(hours)] + HOUR)])})
            for i in range(n)]


def _raw_celery(bench: Bench, n: int) -> Summary:
    app = noop.make_app(bench.stack.broker_url)
    task = app.tasks["bench.noop"]
    task.delay().get(timeout=30)
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        task.delay().get(timeout=30)
        samples.append((time.perf_counter() - began) * 1000)
    return Summary.of(samples, "ms")


def measure_tiny_job(bench: Bench) -> Row:
    """A 1-hour availability add, HTTP submit → job succeeded, one at a time."""
    n = bench.data.size.requests // 4
    client = Client(bench.stack.base_url, bench.key)
    samples, ids = [], []
    for call in one_hour_adds(bench, n):
        began = time.perf_counter()
        ids.append(client.submit(call))
        samples.append((wait_for_jobs(bench.conn, ids[-1:], pause=0.001) - began) * 1000)
    ours, raw = Summary.of(samples, "ms"), _raw_celery(bench, n)
    return Row("tiny job round trip (1-hour availability add, submit → done)", ours,
               "raw Celery round trip of a no-op task, same broker", raw, False, 3.0,
               note=job_phases(bench.conn, ids))


def measure_enqueue(bench: Bench, endpoints: Endpoints) -> Row:
    """Job row + outbox + publish per request, with the workers running the jobs meanwhile."""
    size = bench.data.size
    calls = one_hour_adds(bench, 4 * len(bench.data.writes.hours()))
    samples = []
    for _ in range(size.repeats):
        samples.append(throughput(bench.stack.base_url, bench.key, calls, size.seconds))
        wait_until_idle(bench.conn)
    ours = Summary.of(samples, "req/s")
    return Row("enqueue endpoint throughput (job row + outbox + publish)", ours,
               "one-SELECT endpoint", endpoints.select_rps, True, 0.5)


def _writes(bench: Bench) -> tuple[list[Call], list[dict[str, object]]]:
    """Each request: one person's whole `writes` window (8 h × the days, ≈ 160 hours)."""
    data, days = bench.data, bench.data.writes.days
    ranges = [Range(day, day + 8 * HOUR) for day in days]
    people = [i % len(bench.ids) for i in range(data.size.writes)]
    calls = [post(f"/v1/people/{bench.ids[p]}/availability", {"ranges": ranges_body(ranges)})
             for p in people]
    rows = [{"person_id": bench.ids[p], "start": hour, "role": data.roles[p]}
            for p in people for r in ranges for hour in r.starts()]
    return calls, rows


def _core_insert(bench: Bench, rows: list[dict[str, object]]) -> float:
    """SQLAlchemy Core executemany of the same rows, in this process; rows per second."""
    scratch_copy(bench.conn, "bench_core_hours")
    hours = table("bench_core_hours", column("person_id", Uuid()),
                  column("start", DateTime(timezone=True)), column("role", String()))
    engine = make_engine(bench.stack.database_url)
    try:
        with engine.begin() as conn:
            began = time.perf_counter()
            conn.execute(insert(hours), rows)
            return len(rows) / (time.perf_counter() - began)
    finally:
        engine.dispose()
        with bench.conn.cursor() as cursor:
            cursor.execute("DROP TABLE bench_core_hours")


def measure_writes(bench: Bench) -> Row:
    """Many small availability writes over HTTP, end to end through their jobs."""
    calls, rows = _writes(bench)
    ours, base = [], []
    for _ in range(bench.data.size.repeats):
        with bench.conn.cursor() as cursor:
            cursor.execute("DELETE FROM availability_hours WHERE start >= %s",
                           (bench.data.writes.start,))
        began = time.perf_counter()
        jobs = send_all(bench.stack.base_url, bench.key, calls)
        done = wait_for_jobs(bench.conn, [j["id"] for j in jobs], pause=0.01)
        ours.append(len(rows) / (done - began))
        base.append(_core_insert(bench, rows))
    mine, core = Summary.of(ours, "rows/s"), Summary.of(base, "rows/s")
    return Row(f"availability writes, {len(calls):,} HTTP requests of "
               f"{len(rows) // len(calls)} hours", mine,
               "SQLAlchemy Core insert of the same rows, in-process", core, True, 0.3)
