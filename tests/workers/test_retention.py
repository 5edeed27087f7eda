"""Finished jobs are kept for JOB_RETENTION_DAYS, then pruned by the sweep with their
deliveries (issue 14, item 10); what is unfinished or recent stays, and so do booked interviews."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models import Interview, Job, WebhookAttempt, WebhookDelivery
from tests.conftest import ManualClock
from tests.workers.support import BASE, add_hours, add_person, at, deliver, job_row, ranges
from workers import deliveries, events, outbox, retention, webhooks
from workers.queue.runtime import Runtime
from workers.queue.sweep import IDEMPOTENCY_TTL, sweep
from workers.settings import MIN_RETENTION_DAYS, Settings, SettingsError

DAY = 24 * 3600.0


def run_with_deliveries(runtime: Runtime, kind: str, payload: dict[str, object],
                        callback_url: str | None = None) -> uuid.UUID:
    """Submit a job, run it now, and attempt once each delivery it made (a 2xx)."""
    with runtime.sessions.begin() as session:
        job_id = outbox.submit(session, kind, payload, now=runtime.clock.now(),
                               submitted_by=None, callback_url=callback_url).id
    deliver(runtime, job_id)
    assert job_row(runtime, job_id).status == "succeeded"
    with runtime.sessions() as session:
        made = session.scalars(select(WebhookDelivery.id)
                               .where(WebhookDelivery.created_at == runtime.clock.now())).all()
    for delivery in made:
        claimed = deliveries.claim(runtime.sessions, delivery, 30, runtime.clock.now())
        assert claimed is not None
        outcome = deliveries.Outcome(runtime.clock.now(), 204, 3, None)
        with runtime.sessions.begin() as session:
            deliveries.settle(session, claimed, outcome)
    return job_id


def test_finished_jobs_go_with_their_deliveries_and_the_rest_stays(
        clocked: Runtime, clock: ManualClock) -> None:
    with clocked.sessions.begin() as session:
        webhooks.subscribe(session, "http://127.0.0.1:9/", ["job.succeeded", "interview.booked"],
                           clock.now())
    candidate, interviewer = add_person(clocked, "candidate"), add_person(clocked, "interviewer")
    add_hours(clocked, candidate, 0)
    add_hours(clocked, interviewer, 0)
    booked_by = run_with_deliveries(clocked, "match", {
        "candidates": None, "interviewers": None, "from": BASE.isoformat(),
        "to": at(24).isoformat(), "max_panel_size": None, "book": True},
        callback_url="http://127.0.0.1:9/callback")
    with clocked.sessions.begin() as session:
        [still_pending] = events.record(session, "job.succeeded", [{"n": 1}], now=clock.now())
        waiting = outbox.submit(session, "availability.add", {
            "person": str(interviewer), "ranges": ranges((5, 6))}, now=clock.now(),
            submitted_by=None).id
    clock.advance(20 * DAY)
    recent = run_with_deliveries(clocked, "availability.add",
                                 {"person": str(interviewer), "ranges": ranges((7, 8))})
    with clocked.sessions() as session:
        recent_delivery = session.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.created_at == clock.now())).one()
        assert len(session.scalars(select(WebhookDelivery.id)).all()) == 5

    clock.advance(11 * DAY)  # the match finished 31 days ago, the add 11
    report = sweep(clocked)

    with clocked.sessions() as session:
        assert set(session.scalars(select(Job.id))) == {waiting, recent}
        assert set(session.scalars(select(WebhookDelivery.id))) == {still_pending,
                                                                    recent_delivery}
        assert set(session.scalars(select(WebhookAttempt.delivery_id))) == {recent_delivery}
        [interview] = session.scalars(select(Interview)).all()
    assert interview.candidate_id == candidate and interview.job_id is None, booked_by
    assert report.pruned == 3  # the match, and its two deliveries to the subscription
    assert sweep(clocked).pruned == 0


def test_pruning_deletes_a_batch_at_a_time_oldest_first(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        for days in (40, 35, 33, 32, 31, 29):
            finished = now - timedelta(days=days)
            session.add(Job(kind="match", status="failed", payload={}, submitted_at=finished,
                            finished_at=finished, attempts=1))
    pruned = []
    for _ in range(4):
        with runtime.sessions.begin() as session:
            pruned.append(retention.prune(session, now, timedelta(days=30), batch=2))
    assert pruned == [2, 2, 1, 0]
    with runtime.sessions() as session:
        [left] = session.scalars(select(Job.finished_at)).all()
    assert left == now - timedelta(days=29)


def test_a_retention_shorter_than_an_idempotency_keys_life_is_refused() -> None:
    assert timedelta(days=MIN_RETENTION_DAYS) >= IDEMPOTENCY_TTL  # a replay names a kept job
    assert Settings.from_env({}).job_retention_days == 30
    assert Settings.from_env({"JOB_RETENTION_DAYS": "2"}).job_retention_days == 2
    with pytest.raises(SettingsError, match="JOB_RETENTION_DAYS"):
        Settings.from_env({"JOB_RETENTION_DAYS": "1"})
