"""Prometheus metrics at `/metrics`: this API's requests, and the jobs and webhook attempts
that the database records.

Request metrics live in the process (in a folder shared by the gunicorn workers in production,
see api/server.py). Jobs run in worker processes on other machines, so their metrics are
counted in the database, in the transaction that finishes each job or records each attempt
(workers/counters.py), and read from there at each scrape.
"""

from __future__ import annotations

import logging
import math
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
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from api.db import runtime
from models import read_only
from workers import counters

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

# Set by gunicorn's `load` (api/server.py): the folder the worker processes write their samples to.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"  # the route of a request that no URL rule matched (404, 405)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
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
    """Job and webhook-attempt metrics, read at scrape time in one short read-only statement:
    the totals that finishing jobs and attempts keep (workers/counters.py), and the jobs queued
    or running now, so its cost does not grow with the jobs that ever ran."""

    def __init__(self, engine: Engine, timeout: float = QUERY_TIMEOUT_SECONDS) -> None:
        self.engine = engine
        self.timeout = timeout

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("interview_calendar_database_up",
                               "1 if the job and webhook metrics could be read in this scrape.")
        try:
            with read_only(self.engine).connect() as conn, _time_limit(conn, self.timeout):
                found = counters.totals(conn)
        except SQLAlchemyError:
            log.warning("job metrics not collected: the database could not be read",
                        exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _families(found)


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


def _families(found: list[counters.Total]) -> list[Metric]:
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for metric, kind, label, value in found:
        totals[metric, kind, label] += value
    kinds = sorted({kind for metric, kind, _ in totals if metric != counters.WEBHOOK_ATTEMPTS})
    return [*_job_families(totals, kinds), *(_histogram(totals, kinds, name) for name in (
        ("queue", counters.QUEUE, "From submission to the start of the job's last attempt, "
                                  "by kind (counted when the job finishes)."),
        ("run", counters.RUN, "From the start of the job's last attempt to its end, by kind.")
    )), _webhook_family(totals)]


def _job_families(totals: dict[tuple[str, str, str], float], kinds: list[str]) -> list[Metric]:
    submitted = CounterMetricFamily("interview_calendar_jobs_submitted",
                                    "Jobs accepted, by kind.", labels=["kind"])
    succeeded = CounterMetricFamily("interview_calendar_jobs_succeeded",
                                    "Jobs that succeeded, by kind.", labels=["kind"])
    failed = CounterMetricFamily("interview_calendar_jobs_failed",
                                 "Jobs that failed, by kind.", labels=["kind"])
    unfinished = GaugeMetricFamily("interview_calendar_jobs_unfinished",
                                   "Jobs queued or running now, by kind and status.",
                                   labels=["kind", "status"])
    for kind in kinds:
        done = {s: totals[counters.FINISHED, kind, s] for s in ("succeeded", "failed")}
        now = {s: totals[counters.UNFINISHED_NOW, kind, s] for s in ("queued", "running")}
        submitted.add_metric([kind], sum(done.values()) + sum(now.values()))
        succeeded.add_metric([kind], done["succeeded"])
        failed.add_metric([kind], done["failed"])
        for status, n in now.items():
            unfinished.add_metric([kind, status], n)
    return [submitted, succeeded, failed, unfinished]


def _histogram(totals: dict[tuple[str, str, str], float], kinds: list[str],
               name: tuple[str, str, str]) -> Metric:
    short, metric, documentation = name
    family = HistogramMetricFamily(f"interview_calendar_job_{short}_seconds", documentation,
                                   labels=["kind"])
    for kind in kinds:
        count, buckets = 0.0, []
        for le in (*counters.JOB_BUCKETS, math.inf):
            count += totals[metric, kind, counters.bucket(le)]
            buckets.append((_bound(le), count))
        family.add_metric([kind], buckets, totals[f"{metric}_sum", kind, ""])
    return family


def _bound(le: float) -> str:
    """A bucket's bound as Prometheus writes it (`0.5`, `+Inf`)."""
    text: str = floatToGoString(le)  # type: ignore[no-untyped-call]
    return text


def _webhook_family(totals: dict[tuple[str, str, str], float]) -> Metric:
    """Attempts whose answer was a 2xx succeeded; any other status, or none, failed."""
    family = CounterMetricFamily("interview_calendar_webhook_attempts",
                                 "Webhook delivery attempts, by outcome.", labels=["outcome"])
    for outcome in ("succeeded", "failed"):
        family.add_metric([outcome], totals[counters.WEBHOOK_ATTEMPTS, "", outcome])
    return family
