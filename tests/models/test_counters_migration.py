"""Migration 0004 counts the jobs and webhook attempts already there, so /metrics shows the
same totals before and after it, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.metrics import DatabaseCollector
from models import Job, Webhook, WebhookAttempt, WebhookDelivery, make_engine
from models import make_session_factory as sessions_of
from models.migrate import upgrade


def finished(kind: str, status: str, queued: float, ran: float) -> Job:
    submitted = datetime(2026, 11, 1, tzinfo=UTC)
    started = submitted + timedelta(seconds=queued)
    return Job(kind=kind, status=status, payload={}, submitted_at=submitted, started_at=started,
               finished_at=started + timedelta(seconds=ran), attempts=1)


def test_the_totals_so_far_are_counted_when_the_counters_arrive(url: str) -> None:
    upgrade(url, "0003")
    engine = make_engine(url)
    with sessions_of(engine).begin() as session:
        session.add_all([finished("availability.add", "succeeded", 0.2, 1.3),
                         finished("availability.add", "failed", 3.0, 700),
                         finished("match", "succeeded", 0.04, 2.0),
                         Job(kind="match", status="queued", payload={}, attempts=0)])
        hook = Webhook(url="http://127.0.0.1:9/", events=["job.succeeded"], secret="s")
        session.add(hook)
        session.flush()
        delivery = WebhookDelivery(webhook_id=hook.id, type="job.succeeded", body="{}")
        session.add(delivery)
        session.flush()
        session.add_all([WebhookAttempt(delivery_id=delivery.id, at=datetime.now(UTC),
                                        status_code=code, latency_ms=1)
                         for code in (204, 500, None)])
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in DatabaseCollector(engine).collect() for s in family.samples}
    engine.dispose()

    def get(name: str, **labels: str) -> float:
        return samples.get((f"interview_calendar_{name}", tuple(sorted(labels.items()))), 0.0)

    add, match = {"kind": "availability.add"}, {"kind": "match"}
    assert [get("jobs_submitted_total", **add), get("jobs_submitted_total", **match)] == [2, 2]
    assert [get("jobs_succeeded_total", **add), get("jobs_failed_total", **add)] == [1, 1]
    assert get("jobs_unfinished", status="queued", **match) == 1
    assert get("job_queue_seconds_sum", **add) == pytest.approx(3.2, abs=1e-3)
    assert [get("job_queue_seconds_bucket", le=le, **add) for le in ("0.25", "5.0")] == [1, 2]
    assert [get("job_run_seconds_bucket", le=le, **add) for le in ("2.5", "600.0", "+Inf")
            ] == [1, 1, 2]
    assert get("job_run_seconds_count", **match) == 1
    assert get("job_run_seconds_sum", **match) == pytest.approx(2.0, abs=1e-3)
    assert get("webhook_attempts_total", outcome="succeeded") == 1
    assert get("webhook_attempts_total", outcome="failed") == 2
