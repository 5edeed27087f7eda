"""SIGKILL of the pool process in the middle of a job loses nothing and applies nothing twice.

The killed attempt's transaction dies with its connection. The broker redelivers the message
(acks_late, reject_on_worker_lost) once the main process notices the death, and the sweep in
the main process requeues and republishes the job once its lease lapses; whichever delivery
comes second finds nothing to claim, so a new pool process runs the job again, from scratch,
exactly once. (This test found pool processes that hung for ever when forked while the sweeper
thread held SQLAlchemy's mapper-configuration lock; see `worker` in api/cli.py.)
"""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest

from tests.integration.conftest import (
    Calendar,
    Client,
    Worker,
    next_day,
    span,
    wait_until,
    z,
)

pytestmark = pytest.mark.timeout(90)

# Some 3 to 5 s of inserting on this machine (10,000 to 15,000 hours a second): long enough to
# be killed in the middle, short enough to run twice well within a minute.
PEOPLE = 25
HOURS_EACH = 2000
RECOVERY_TIMEOUT = 50.0


def test_a_job_survives_sigkill_of_its_worker(
        api: Client, worker: Worker, calendar: Calendar, broker: str) -> None:
    start = next_day()
    people = [api.person() for _ in range(PEOPLE)]
    total = PEOPLE * HOURS_EACH
    r = api.post("/v1/availability/imports",
                 {"entries": [{"person": p, "ranges": [span(start, HOURS_EACH)]}
                              for p in people]})
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["id"]

    wait_until(lambda: calendar.job(job_id).status == "running", 20, "the job running",
               worker.output)
    time.sleep(0.5)  # into the inserts
    [child] = worker.pool()
    os.kill(child, signal.SIGKILL)
    killed_at = time.monotonic()

    job = calendar.job(job_id)
    assert (job.status, job.attempts) == ("running", 1), \
        "the job finished before the kill: make it bigger"
    assert calendar.hours() == 0  # the killed attempt's inserts were never committed

    job = calendar.wait_for([job_id], RECOVERY_TIMEOUT, worker.post_mortem)[job_id]
    recovery = time.monotonic() - killed_at
    assert job.status == "succeeded", (job.error, worker.output())
    assert job.attempts == 2  # the killed attempt, then exactly one more
    assert job.result == {"people": PEOPLE, "added": total, "already_present": 0}
    assert calendar.hours() == total
    assert job.started_at and job.finished_at
    rerun = (job.finished_at - job.started_at).total_seconds()
    assert worker.proc.poll() is None and worker.pool() not in ([], [child])

    answer = api.get(f"/v1/jobs/{job_id}").get_json()
    assert (answer["status"], answer["result"]["added"]) == ("succeeded", total)
    window = f"from={z(start)}&to={z(start + timedelta(days=100))}"
    for person in (people[0], people[-1]):
        got = api.get(f"/v1/people/{person}/availability?{window}").get_json()
        assert got["ranges"] == [span(start, HOURS_EACH)]

    print(f"\n[sigkill of the pool process, {broker}] submitted=1 "
          f"completed={int(job.status == 'succeeded')} lost={int(job.status != 'succeeded')} "
          f"duplicated={job.result['already_present']} hours={calendar.hours()}/{total} "
          f"attempts={job.attempts} recovered in {recovery:.1f} s "
          f"(the rerun itself took {rerun:.1f} s)")
