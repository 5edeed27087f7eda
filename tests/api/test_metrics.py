"""`/metrics`: request metrics by URL rule, and job metrics read from the database."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from api.app import create_app
from api.metrics import DatabaseCollector
from models import Job, make_engine, make_session_factory
from models.migrate import upgrade
from tests.api.conftest import Api, publish, span
from workers import deliveries, events, webhooks
from workers.queue import lifecycle
from workers.queue.runtime import Runtime

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
REQUESTS = "interview_calendar_http_requests_total"
LATENCY = "interview_calendar_http_request_duration_seconds"


def parse(exposition: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(exposition) for s in family.samples}


def scrape(api: Api) -> Samples:
    r = api.as_key(None).get("/metrics")
    assert r.status_code == 200, r.text
    assert r.mimetype == "text/plain"
    return parse(r.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_need_no_key_and_count_requests_by_url_rule(admin: Api, anon: Api) -> None:
    before = scrape(anon)
    person = admin.person("interviewer")
    assert admin.get(f"/v1/people/{person['id']}").status_code == 200
    assert anon.get("/v1/people").status_code == 401
    after = scrape(anon)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(REQUESTS, route="/v1/people", method="POST", status="201") == 1
    assert delta(REQUESTS, route="/v1/people", method="GET", status="401") == 1
    assert delta(REQUESTS, route="/metrics", method="GET", status="200") == 1
    assert delta(REQUESTS, route="/v1/people/<person_id>", method="GET", status="200") == 1
    assert not any(person["id"] in str(labels) for _, labels in after)

    buckets = {dict(labels)["le"] for (name, labels) in after if name == f"{LATENCY}_bucket"}
    assert {"0.005", "1.0", "30.0", "+Inf"} <= buckets
    assert delta(f"{LATENCY}_bucket", route="/v1/people", method="POST", le="+Inf") == 1
    assert delta(f"{LATENCY}_count", route="/v1/people", method="POST") == 1
    assert delta(f"{LATENCY}_sum", route="/v1/people", method="POST") > 0


def test_unknown_paths_and_methods_are_counted_under_bounded_labels(anon: Api) -> None:
    before = scrape(anon)
    token = uuid.uuid4().hex
    assert anon.get(f"/no/such/{token}").status_code == 404
    assert anon.client.open(f"/v1/{token}", method="BREW").status_code in (404, 405)
    after = scrape(anon)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(REQUESTS, route="unmatched", method="GET", status="404") == 1
    assert sum(delta(REQUESTS, route="unmatched", method="other", status=s)
               for s in ("404", "405")) == 1
    assert not any(token in str(labels) or "BREW" in str(labels) for _, labels in after)


def test_a_finished_job_is_counted_with_its_queue_latency_and_run_time(
        admin: Api, runtime: Runtime) -> None:
    before = scrape(admin)
    person = admin.person("interviewer")
    publish(admin, person, span(1, 3))  # Prefer: wait=10, so the job has finished
    samples = scrape(admin)

    kind = {"kind": "availability.add"}
    assert value(samples, "interview_calendar_jobs_submitted_total", **kind) == 1
    assert value(samples, "interview_calendar_jobs_succeeded_total", **kind) == 1
    assert value(samples, "interview_calendar_jobs_failed_total", **kind) == 0
    assert value(samples, "interview_calendar_jobs_unfinished", status="queued", **kind) == 0
    assert value(samples, "interview_calendar_database_up") == 1
    with runtime.readers() as session:
        job = session.query(Job).one()
    assert job.started_at and job.finished_at
    queued = (job.started_at - job.submitted_at).total_seconds()
    ran = (job.finished_at - job.started_at).total_seconds()
    for name, seconds in (("queue", queued), ("run", ran)):
        metric = f"interview_calendar_job_{name}_seconds"
        assert value(samples, f"{metric}_count", **kind) == 1
        assert value(samples, f"{metric}_sum", **kind) == pytest.approx(seconds, abs=1e-3)
        assert value(samples, f"{metric}_bucket", le="+Inf", **kind) == 1
        assert value(samples, f"{metric}_bucket", le="600.0", **kind) == 1
    # the request that waited for the job is recorded with its final status and time
    waited = {"route": "/v1/people/<person_id>/availability", "method": "POST"}
    assert (value(samples, REQUESTS, status="200", **waited)
            - value(before, REQUESTS, status="200", **waited)) == 1


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request: pytest.FixtureRequest, runtime: Runtime, tmp_path: Path
           ) -> Iterator[Engine]:
    """The tests' PostgreSQL database, or a SQLite file migrated as the embedded mode's."""
    if request.param == "postgresql":
        yield runtime.engine
        return
    url = f"sqlite:///{tmp_path / 'metrics.sqlite3'}"
    upgrade(url)
    sqlite = make_engine(url)
    yield sqlite
    sqlite.dispose()


def collect(engine: Engine, timeout: float = 2) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in DatabaseCollector(engine, timeout).collect() for s in family.samples}


def job(kind: str, status: str, queued: float | None, ran: float | None) -> Job:
    """A job submitted an hour ago that waited `queued` seconds and ran for `ran`."""
    submitted = datetime.now(UTC) - timedelta(hours=1)
    started = None if queued is None else submitted + timedelta(seconds=queued)
    finished = None if ran is None or started is None else started + timedelta(seconds=ran)
    # running: a lease far ahead; queued: published just now, so the sweep leaves both be
    return Job(kind=kind, status=status, payload={}, submitted_at=submitted,
               published_at=datetime.now(UTC), started_at=started, finished_at=finished,
               attempts=0 if started is None else 1,
               lease_expires_at=datetime.now(UTC) + timedelta(hours=1)
               if status == "running" else None)


def run_job(engine: Engine, kind: str, status: str, queued: float | None,
            ran: float | None) -> None:
    """A job submitted an hour ago, claimed `queued` seconds later and finished with `status`
    `ran` seconds after that, as a worker does; left queued or running without those times."""
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        row = job(kind, "queued", None, None)
        session.add(row)
    if queued is None:
        return
    started = row.submitted_at + timedelta(seconds=queued)
    claimed = lifecycle.claim(sessions, row.id, 7200, 5, started)  # a lease far ahead
    assert claimed is not None
    if ran is not None:
        with sessions.begin() as session:
            lifecycle.finish(session, claimed, status, started + timedelta(seconds=ran),
                             result={}, error=None if status == "succeeded" else {"x": 1})


def test_jobs_are_counted_as_they_finish_on_both_databases(engine: Engine) -> None:
    run_job(engine, "availability.add", "succeeded", 0.2, 1.3)
    run_job(engine, "availability.add", "failed", 3.0, 0.4)
    run_job(engine, "match", "running", 0.04, None)
    run_job(engine, "match", "queued", None, None)
    samples = collect(engine)

    def get(name: str, **labels: str) -> float:
        return value(samples, f"interview_calendar_{name}", **labels)

    add, match = {"kind": "availability.add"}, {"kind": "match"}
    assert get("database_up") == 1
    assert [get("jobs_submitted_total", **add), get("jobs_submitted_total", **match)] == [2, 2]
    assert [get("jobs_succeeded_total", **add), get("jobs_failed_total", **add)] == [1, 1]
    assert [get("jobs_succeeded_total", **match), get("jobs_failed_total", **match)] == [0, 0]
    assert [get("jobs_unfinished", status=s, **k)
            for k in (add, match) for s in ("queued", "running")] == [0, 0, 1, 1]

    def histogram(name: str, kind: dict[str, str]) -> tuple[float, float, dict[str, float]]:
        metric = f"job_{name}_seconds"
        buckets = {le: get(f"{metric}_bucket", le=le, **kind)
                   for le in ("0.01", "0.05", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf")}
        return get(f"{metric}_count", **kind), get(f"{metric}_sum", **kind), buckets

    count, total, buckets = histogram("queue", add)
    assert count == 2 and total == pytest.approx(3.2, abs=1e-3)
    assert buckets == {"0.01": 0, "0.05": 0, "0.25": 1, "0.5": 1, "1.0": 1, "2.5": 1,
                       "5.0": 2, "+Inf": 2}
    count, total, buckets = histogram("run", add)
    assert count == 2 and total == pytest.approx(1.7, abs=1e-3)
    assert [buckets["0.25"], buckets["0.5"], buckets["1.0"], buckets["2.5"]] == [0, 1, 1, 2]
    # a job's times are counted when it finishes: the running match's wait is not yet
    assert histogram("queue", match)[:2] == (0, 0)
    assert histogram("run", match)[:2] == (0, 0)


def test_a_scrape_blocked_by_a_lock_on_postgresql_is_cut_off(runtime: Runtime) -> None:
    with runtime.engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        holder.execute(text("LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE"))  # as a migration would
        began = time.monotonic()
        scrape = pool.submit(collect, runtime.engine, 0.5)
        try:
            samples = scrape.result(timeout=5)
        finally:
            took = time.monotonic() - began
            holder.rollback()  # lets a scrape that was not cut off finish
    assert value(samples, "interview_calendar_database_up") == 0
    assert 0.5 <= took < 3


def test_a_long_scrape_on_sqlite_is_interrupted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slow.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        session.add_all([job("match", "queued", None, None) for _ in range(20_000)])
    cut = collect(engine, timeout=0)
    assert value(cut, "interview_calendar_database_up") == 0
    whole = collect(engine)  # and the connection, back in the pool, is not limited any more
    engine.dispose()
    assert value(whole, "interview_calendar_jobs_unfinished", kind="match",
                 status="queued") == 20_000


def test_webhook_attempts_are_counted_by_outcome_as_they_are_recorded(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    with sessions.begin() as session:
        webhooks.subscribe(session, "http://127.0.0.1:9/", ["job.succeeded"], now)
        found = events.record(session, "job.succeeded", [{"n": n} for n in range(5)], now=now)
    for delivery, code in zip(found, (200, 204, 500, None, 301), strict=True):
        claimed = deliveries.claim(sessions, delivery, 30, now)
        assert claimed is not None
        with sessions.begin() as session:
            deliveries.settle(session, claimed, deliveries.Outcome(now, code, 5, None))
    samples = collect(engine)
    assert value(samples, "interview_calendar_webhook_attempts_total", outcome="succeeded") == 2
    assert value(samples, "interview_calendar_webhook_attempts_total", outcome="failed") == 3


def test_metrics_answer_without_the_database(runtime: Runtime, anon: Api,
                                             caplog: pytest.LogCaptureFixture) -> None:
    scrape(anon)  # so that the request counter has a sample for /metrics
    with socket.socket() as s:  # a port on which nothing listens: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = make_engine(f"postgresql://postgres@127.0.0.1:{port}/nowhere")
    broken = replace(runtime, engine=down, sessions=make_session_factory(down),
                     readers=make_session_factory(down))
    with caplog.at_level(logging.WARNING, logger="api.metrics"):
        r = create_app(broken).test_client().get("/metrics")
    down.dispose()
    assert r.status_code == 200
    samples: dict[Any, float] = parse(r.text)
    assert value(samples, "interview_calendar_database_up") == 0
    assert value(samples, REQUESTS, route="/metrics", method="GET", status="200") >= 1
    assert not any(name.startswith("interview_calendar_jobs") for name, _ in samples)
    assert "database could not be read" in caplog.text
