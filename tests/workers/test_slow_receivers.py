"""Attacks by webhook receivers: one that dribbles its answer a byte a second holds an attempt
for its deadline and no longer, and deliveries travel apart from the jobs.

The deadline is set as the environment sets it (DELIVERY_DEADLINE_SECONDS), short here.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from tests.receiver import dribbling
from tests.workers.support import add_person, drain, ranges, submit
from tests.workers.test_webhook_deliveries import attempts_of, delivery, one_event
from workers import deliveries
from workers.queue import attempts
from workers.queue.runtime import Runtime
from workers.settings import Settings, SettingsError

DEADLINE = 2.0


def cut_off_after(runtime: Runtime, seconds: float) -> Runtime:
    """The runtime with each attempt cut off after `seconds`, and webhooks to 127.0.0.1 allowed."""
    settings = Settings.from_env({"DELIVERY_DEADLINE_SECONDS": f"{seconds:g}",
                                  "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"})
    return replace(runtime, settings=replace(
        settings, database_url=runtime.settings.database_url, broker_url=None))


def test_an_attempt_on_a_receiver_that_dribbles_its_answer_ends_at_the_deadline_and_is_retried(
    runtime: Runtime,
) -> None:
    with dribbling(interval=1.0) as receiver:
        row = one_event(runtime, receiver.url)

        began = time.monotonic()
        status = attempts.deliver(cut_off_after(runtime, DEADLINE), row.id)
        took = time.monotonic() - began

    assert took < 2 * DEADLINE, f"the attempt lasted {took:.1f} s"
    assert status == "pending"
    [attempt] = attempts_of(runtime, row.id)
    assert (attempt.status_code, attempt.error) == (None, "no answer within 2 s")
    assert DEADLINE * 1000 * 0.9 <= attempt.latency_ms < 2 * DEADLINE * 1000
    assert delivery(runtime, row.id).next_attempt_at is not None, "retried with the backoff"


def test_deliveries_are_published_to_a_queue_of_their_own(runtime: Runtime) -> None:
    row = one_event(runtime, "http://127.0.0.1:9/a")  # its message drained
    job_id = submit(runtime, "availability.add",
                    {"person": str(add_person(runtime)), "ranges": ranges((9, 10))})
    with runtime.sessions.begin() as session:
        deliveries.redeliver(session, delivery(runtime, row.id), runtime.clock.now())

    jobs = str(runtime.celery.conf.task_default_queue)
    assert sorted((m.job_id, m.queue) for m in drain(runtime)) == sorted(
        [(str(job_id), jobs), (str(row.id), f"{jobs}.deliveries")])


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "301", "soon"])
def test_a_deadline_that_would_not_bound_an_attempt_is_refused_at_start(value: str) -> None:
    with pytest.raises(SettingsError, match="DELIVERY_DEADLINE_SECONDS|invalid numeric"):
        Settings.from_env({"DELIVERY_DEADLINE_SECONDS": value})
