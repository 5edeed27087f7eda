"""Prometheus metrics at `/metrics`: this API's requests, and the jobs and webhook attempts
that the database records.

Request metrics live in the process (in a folder shared by the gunicorn workers in production,
see api/server.py). Jobs run in worker processes on other machines, so their metrics are not
counted anywhere in memory: they are aggregated from the jobs table at each scrape.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.utils import floatToGoString
from sqlalchemy import Connection, Engine, case, column, extract, func, inspect, select, table, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from api.db import runtime
from models import Job, read_only

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

# Set by gunicorn's `load` (api/server.py): the folder the worker processes write their samples to.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the route of a request that no URL rule matched (404, 405)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
QUERY_TIMEOUT_SECONDS = 2

# No `_created` series: multiprocess mode has none, and both modes expose the same names.
disable_created_metrics()  # type: ignore[no-untyped-call]
# Created once per process, whatever the number of apps (the tests build one per test).
REQUESTS = Counter("interview_calendar_http_requests",
                   "HTTP requests answered, by URL rule, method and status.",
                   ["route", "method", "status"])
LATENCY = Histogram("interview_calendar_http_request_duration_seconds",
                    "Time to answer an HTTP request, by URL rule and method.",
                    ["route", "method"], buckets=REQUEST_BUCKETS)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_clock)
    app.after_request(_observe)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    """Count the request under its URL rule, never its raw path, so that labels stay few."""
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    started = g.pop("metrics_started", None)
    if started is not None:
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """The exposition; no key (operators keep it off the public network)."""
    registry = CollectorRegistry()
    folder = current_app.config.get(MULTIPROCESS_DIR)
    if folder:
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    registry.register(DatabaseCollector(runtime().engine))
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), content_type=content_type)


class DatabaseCollector:
    """Job and webhook-attempt metrics, read from the database at scrape time in one short
    read-only transaction: a few aggregate queries whose time is bounded."""

    def __init__(self, engine: Engine, timeout: float = QUERY_TIMEOUT_SECONDS) -> None:
        self.engine = engine
        self.timeout = timeout

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("interview_calendar_database_up",
                               "1 if the job and webhook metrics could be read in this scrape.")
        try:
            with read_only(self.engine).connect() as conn, _time_limit(conn, self.timeout):
                families = _job_families(conn.execute(_job_query(conn.dialect.name)).all())
                if inspect(conn).has_table("webhook_attempts"):
                    families.append(_webhook_family(conn))
        except SQLAlchemyError:
            log.warning("job metrics not collected: the database could not be read",
                        exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


@contextmanager
def _time_limit(conn: Connection, seconds: float) -> Iterator[None]:
    """Abort the scrape's queries after `seconds`: a statement timeout on PostgreSQL, a
    progress handler that interrupts the statement on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        yield
        return
    raw: Any = conn.connection.dbapi_connection
    deadline = time.monotonic() + seconds
    raw.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)


def _seconds(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":  # datetimes are text there; julianday counts days as a float
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


def _job_query(dialect: str) -> Any:
    """Per kind and status: the count, and sum, count and cumulative buckets of the queue
    latency (started - submitted) and run time (finished - started) where they are known."""
    durations = select(
        Job.kind, Job.status,
        _seconds(Job.started_at, Job.submitted_at, dialect).label("queue"),
        _seconds(Job.finished_at, Job.started_at, dialect).label("run"),
    ).subquery()
    columns: list[Any] = [durations.c.kind, durations.c.status, func.count().label("n")]
    for name in ("queue", "run"):
        seconds = durations.c[name]
        columns += [func.count(seconds), func.coalesce(func.sum(seconds), 0)]
        columns += [func.sum(case((seconds <= le, 1), else_=0)) for le in JOB_BUCKETS]
    return select(*columns).group_by(durations.c.kind, durations.c.status)


def _job_families(rows: Any) -> list[Metric]:
    submitted = CounterMetricFamily("interview_calendar_jobs_submitted",
                                    "Jobs accepted, by kind.", labels=["kind"])
    succeeded = CounterMetricFamily("interview_calendar_jobs_succeeded",
                                    "Jobs that succeeded, by kind.", labels=["kind"])
    failed = CounterMetricFamily("interview_calendar_jobs_failed",
                                 "Jobs that failed, by kind.", labels=["kind"])
    unfinished = GaugeMetricFamily("interview_calendar_jobs_unfinished",
                                   "Jobs queued or running now, by kind and status.",
                                   labels=["kind", "status"])
    histograms = {
        "queue": HistogramMetricFamily(
            "interview_calendar_job_queue_seconds",
            "From submission to the start of the job's last attempt, by kind.", labels=["kind"]),
        "run": HistogramMetricFamily(
            "interview_calendar_job_run_seconds",
            "From the start of the job's last attempt to its end, by kind.", labels=["kind"]),
    }
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * (2 + len(JOB_BUCKETS)))
    width = 2 + len(JOB_BUCKETS)
    for row in rows:
        kind, status, n, *rest = row
        counts[kind][status] += n
        for i, name in enumerate(histograms):
            totals = sums[kind, name]
            for j, value in enumerate(rest[i * width:(i + 1) * width]):
                totals[j] += float(value or 0)
    for kind, by_status in sorted(counts.items()):
        submitted.add_metric([kind], sum(by_status.values()))
        succeeded.add_metric([kind], by_status["succeeded"])
        failed.add_metric([kind], by_status["failed"])
        for status in ("queued", "running"):
            unfinished.add_metric([kind, status], by_status[status])
        for name, family in histograms.items():
            count, total, *cumulative = sums[kind, name]
            buckets = [(_bound(le), c) for le, c in zip(JOB_BUCKETS, cumulative, strict=True)]
            family.add_metric([kind], buckets + [("+Inf", count)], total)
    return [submitted, succeeded, failed, unfinished, *histograms.values()]


def _bound(le: float) -> str:
    """A bucket's bound as Prometheus writes it (`0.5`, `+Inf`)."""
    text: str = floatToGoString(le)  # type: ignore[no-untyped-call]
    return text


def _webhook_family(conn: Connection) -> Metric:
    """Attempts whose answer was a 2xx succeeded; any other status, or none, failed."""
    attempts = table("webhook_attempts", column("status_code"))
    total, ok = conn.execute(select(
        func.count(),
        func.coalesce(func.sum(case((attempts.c.status_code.between(200, 299), 1), else_=0)), 0),
    ).select_from(attempts)).one()
    family = CounterMetricFamily("interview_calendar_webhook_attempts",
                                 "Webhook delivery attempts, by outcome.", labels=["outcome"])
    family.add_metric(["succeeded"], ok)
    family.add_metric(["failed"], total - ok)
    return family
