"""Attacks on /metrics over a long history (issue 14, item 10): a scrape's work does not grow
with the jobs that ever ran, and its totals stay right when finished jobs are pruned."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select, text

from models import Job, WebhookAttempt, WebhookDelivery
from tests.api.conftest import Api, publish, span
from tests.api.test_metrics import Samples, scrape, value
from tests.receiver import receiving
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep

HISTORY = 100_000
JOBS = "interview_calendar_jobs"
ATTEMPTS = "interview_calendar_webhook_attempts_total"


def buffers_read(runtime: Runtime, statements: list[tuple[str, Any]]) -> int:
    """The pages PostgreSQL touched (shared buffers hit or read) to run these statements."""
    total = 0
    with runtime.engine.connect() as conn:
        for statement, parameters in statements:
            [plan] = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement,
                                          parameters).scalar_one()
            total += plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"]
        conn.rollback()
    return total


def scrape_statements(runtime: Runtime, anon: Api) -> list[tuple[str, Any]]:
    """The SQL that one scrape runs (this thread's only: the embedded sweeper runs beside)."""
    here, seen = threading.get_ident(), []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if threading.get_ident() == here and not statement.startswith("SET"):
            seen.append((statement, parameters))

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        scrape(anon)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)
    assert seen, "the scrape ran no SQL"
    return seen


def test_a_scrape_reads_a_few_pages_after_100k_finished_jobs(
        runtime: Runtime, anon: Api, figures: Callable[[str], None]) -> None:
    before = buffers_read(runtime, scrape_statements(runtime, anon))
    at = datetime.now(UTC) - timedelta(days=1)
    with runtime.sessions.begin() as session:
        session.execute(text(
            "INSERT INTO jobs (id, kind, status, payload, result, submitted_at, started_at, "
            "finished_at, attempts) SELECT gen_random_uuid(), 'availability.add', "
            "'succeeded', '{}', :result, :at, :at, :at + make_interval(secs => n), 1 "
            "FROM generate_series(1, :n) AS n"),
            {"at": at, "n": HISTORY, "result": json.dumps({"added": 1, "already_present": 0})})
    with runtime.engine.connect() as conn:
        conn.execute(text("ANALYZE jobs"))  # as autovacuum would soon
        conn.commit()
    after = buffers_read(runtime, scrape_statements(runtime, anon))
    figures(f"/metrics with {HISTORY:,} finished jobs: {after} buffers ({before} with none)")
    assert after <= before + 20, f"{after} pages read with {HISTORY:,} jobs, {before} without"


def attempts_counted(anon: Api, n: int, timeout: float = 30) -> Samples:
    """A scrape once `n` webhook attempts have succeeded."""
    deadline = time.monotonic() + timeout
    while value(samples := scrape(anon), ATTEMPTS, outcome="succeeded") < n:
        assert time.monotonic() < deadline, "the webhook attempts were not recorded in time"
        time.sleep(0.05)
    return samples


def test_job_and_webhook_totals_stay_right_after_finished_jobs_are_pruned(
        admin: Api, anon: Api, runtime: Runtime) -> None:
    with receiving() as receiver:
        hook = admin.post("/v1/webhooks", {"url": receiver.url, "events": ["job.succeeded"]})
        assert hook.status_code == 201
        person = admin.person("interviewer")
        for hour in range(3):
            publish(admin, person, span(hour, hour + 1))
        counted = attempts_counted(anon, 3)

    report = sweep(runtime, now=datetime.now(UTC) + timedelta(days=31))  # retention: 30 days

    with runtime.sessions() as session:
        left = [session.scalar(select(func.count()).select_from(table))
                for table in (Job, WebhookDelivery, WebhookAttempt)]
    assert left == [0, 0, 0]
    assert report.pruned == 6  # the jobs, and their deliveries to the subscription
    after = scrape(anon)
    kind = {"kind": "availability.add"}
    for name in (f"{JOBS}_submitted_total", f"{JOBS}_succeeded_total",
                 "interview_calendar_job_run_seconds_count",
                 "interview_calendar_job_queue_seconds_sum"):
        assert value(after, name, **kind) == value(counted, name, **kind), name
    assert value(after, f"{JOBS}_submitted_total", **kind) == 3
    assert value(after, ATTEMPTS, outcome="succeeded") == 3
