"""Attack on the production workers, on Redis and on RabbitMQ: webhook receivers that dribble
their answers a byte a second. The jobs worker never takes a delivery, so jobs submitted
meanwhile finish as fast as ever; the deliveries worker cuts each attempt off at its deadline
and records it as a failed attempt, to be retried."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import pytest

from tests.receiver import Dribbler, dribbling
from tests.stack import BROKERS, Calendar, Client, Worker, next_day, span, wait_until

pytestmark = pytest.mark.timeout(180)

RECEIVERS = 3
JOBS = 3
DEADLINE = 2  # DELIVERY_DEADLINE_SECONDS of the deliveries worker
PROMPT = 10.0  # seconds for a job from submission to its end
PATIENCE = 60.0  # how long the jobs are waited for


def test_jobs_finish_promptly_while_webhook_receivers_dribble_their_answers(
        api: Client, start_worker: Callable[..., Worker], calendar: Calendar, broker: str,
        figures: Callable[[str], None]) -> None:
    worker = start_worker(BROKERS[broker])
    deliverer = start_worker(BROKERS[broker], queues="deliveries", pool=(),
                             DELIVERY_DEADLINE_SECONDS=str(DEADLINE))
    with ExitStack() as receivers:
        dribblers: list[Dribbler] = [receivers.enter_context(dribbling(lasting=60))
                                     for _ in range(RECEIVERS)]
        hooks = []
        for dribbler in dribblers:
            hook = api.post("/v1/webhooks", {"url": dribbler.url, "events": ["job.succeeded"]})
            assert hook.status_code == 201, hook.get_json()
            hooks.append(hook.get_json()["id"])
        first = api.add_availability(api.person(), span(next_day(), 1))
        assert first.status_code == 202, first.get_json()
        wait_until(lambda: any(d.arrivals for d in dribblers), 30,
                   "a delivery reaching its receiver", deliverer.output)

        day = next_day() + timedelta(hours=1)
        ids = [api.add_availability(api.person(), span(day + timedelta(hours=k), 1)
                                    ).get_json()["id"] for k in range(JOBS)]
        jobs = calendar.wait_for(ids, PATIENCE, worker.post_mortem).values()
        waits = [(job.finished_at - job.submitted_at).total_seconds() for job in jobs
                 if job.finished_at is not None]

        def cut_off() -> list[dict[str, Any]] | None:
            listed = [api.get(f"/v1/webhooks/{hook}/deliveries").get_json()["deliveries"]
                      for hook in hooks]
            tried = [a for found in listed for d in found for a in d["attempts"]]
            return tried if len(tried) >= RECEIVERS else None

        tried = wait_until(cut_off, 10 * DEADLINE, "the first attempts recorded",
                           deliverer.output)

    figures(f"slow webhook receivers, {broker}: {JOBS} jobs behind {RECEIVERS} receivers "
            f"dribbling a byte a second waited {max(waits):.2f} s at most; attempts cut off "
            f"after {max(a['latency_ms'] for a in tried) / 1000:.1f} s "
            f"(DELIVERY_DEADLINE_SECONDS={DEADLINE})")
    assert [job.status for job in jobs] == ["succeeded"] * JOBS
    assert max(waits) < PROMPT, f"a job waited {max(waits):.1f} s behind the deliveries"
    assert {(a["status_code"], a["error"]) for a in tried} == {
        (None, f"no answer within {DEADLINE} s")}
    assert max(a["latency_ms"] for a in tried) < 2 * DEADLINE * 1000
