"""SIGKILL of a worker in the middle of each kind of job: every job finishes, exactly once in
effect: no lost job, no hour, booking or delivery applied twice.

Each job is caught in its middle, not by timing: the test holds a lock on the table the job
writes, so the job has claimed its row, read the calendar, and waits inside its transaction
when the kill comes; or the webhook receiver holds the delivery's request unanswered. The kill
takes either the pool process (its worker replaces it) or the whole worker, main process and
pool (a crashed machine; another worker is started): the jobs worker, or the webhook
deliveries worker, whose pool is threads of its main process. The killed attempt's transaction
dies with its connection; its lease lapses, and the sweep hands the work on; the broker's
redelivery of the unacknowledged message, if any, finds nothing to claim.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import Interview, InterviewParticipant
from tests.faults.conftest import Tally, writes_held
from tests.receiver import receiving
from tests.stack import BROKERS, Calendar, Client, Worker, next_day, span, wait_until, z

pytestmark = pytest.mark.timeout(120)

RECOVERY = 60.0


def kill_pool_process(worker: Worker) -> None:
    [child] = worker.pool()
    os.kill(child, signal.SIGKILL)


def kill_whole_worker(worker: Worker) -> None:
    os.killpg(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait(10)


def finished_once(calendar: Calendar, job_id: str, worker: Worker) -> tuple[dict[str, object],
                                                                            float]:
    """The job's result once it succeeded on its second attempt, and how long that took."""
    began = time.monotonic()
    job = calendar.wait_for([job_id], RECOVERY, worker.post_mortem)[job_id]
    assert (job.status, job.attempts) == ("succeeded", 2), (job.status, job.error)
    assert job.result is not None
    return job.result, time.monotonic() - began


def test_an_availability_job_killed_mid_write_adds_its_hours_once(
        api: Client, worker: Worker, calendar: Calendar, broker: str, tally: Tally) -> None:
    person, hours = api.person(), 24 * 30
    with writes_held(calendar, "availability_hours") as wait_for_the_job:
        r = api.add_availability(person, span(next_day(), hours))
        assert r.status_code == 202, r.get_json()
        wait_for_the_job()
        kill_pool_process(worker)
    result, took = finished_once(calendar, r.get_json()["id"], worker)

    assert result == {"added": hours, "already_present": 0}
    assert calendar.hours() == hours
    tally(f"pool process killed mid availability job, {broker}", submitted=1, completed=1,
          duplicated=result["already_present"], notes=f"recovered in {took:.1f} s")


def test_an_import_killed_mid_write_with_its_whole_worker_adds_every_hour_once(
        api: Client, worker: Worker, start_worker: Callable[..., Worker], calendar: Calendar,
        broker: str, tally: Tally) -> None:
    people, hours = [api.person() for _ in range(20)], 500
    entries = [{"person": p, "ranges": [span(next_day(), hours)]} for p in people]
    with writes_held(calendar, "availability_hours") as wait_for_the_job:
        r = api.post("/v1/availability/imports", {"entries": entries})
        assert r.status_code == 202, r.get_json()
        wait_for_the_job()
        kill_whole_worker(worker)
    replacement = start_worker(BROKERS[broker])
    result, took = finished_once(calendar, r.get_json()["id"], replacement)

    assert result == {"people": len(people), "added": len(people) * hours, "already_present": 0}
    assert calendar.hours() == len(people) * hours
    tally(f"whole worker killed mid import, {broker}", submitted=1, completed=1,
          duplicated=result["already_present"], notes=f"recovered in {took:.1f} s")


def test_a_booking_match_killed_mid_write_with_its_whole_worker_books_once(
        api: Client, worker: Worker, start_worker: Callable[..., Worker], calendar: Calendar,
        broker: str, tally: Tally) -> None:
    first = next_day()
    candidates = [api.person("candidate") for _ in range(6)]
    interviewers = [api.person("interviewer") for _ in range(4)]
    for k, person in enumerate(candidates + interviewers):
        assert api.post(f"/v1/people/{person}/availability",
                        {"ranges": [span(first + timedelta(hours=k % 3), 4)]},
                        {"Prefer": "wait=20"}).get_json()["status"] == "succeeded"
    body = {"candidates": candidates, "interviewers": interviewers, "from": z(first),
            "to": z(first + timedelta(days=1)), "book": True}
    with writes_held(calendar, "interviews") as wait_for_the_job:
        r = api.post("/v1/matches", body)
        assert r.status_code == 202, r.get_json()
        wait_for_the_job()
        kill_whole_worker(worker)
    replacement = start_worker(BROKERS[broker])
    result, took = finished_once(calendar, r.get_json()["id"], replacement)

    scheduled = result["interviews"]
    assert isinstance(scheduled, list) and len(scheduled) == len(candidates)
    with calendar.engine.connect() as conn:
        booked = set(map(str, conn.scalars(select(Interview.id))))
        seats = conn.scalar(select(func.count()).select_from(InterviewParticipant))
    assert booked == {i["id"] for i in scheduled}
    assert seats == sum(1 + len(i["interviewers"]) for i in scheduled)
    tally(f"whole worker killed mid match with book, {broker}", submitted=1, completed=1,
          duplicated=len(booked) - len(scheduled),
          notes=f"{len(booked)} interviews booked once; recovered in {took:.1f} s")


def test_a_webhook_delivery_killed_mid_request_with_its_whole_worker_is_delivered_once(
        api: Client, worker: Worker, start_worker: Callable[..., Worker], calendar: Calendar,
        broker: str, tally: Tally) -> None:
    deliverer = start_worker(BROKERS[broker], queues="deliveries", pool=())
    hold = threading.Event()
    with receiving(hold=hold) as receiver:
        hook = api.post("/v1/webhooks", {"url": receiver.url, "events": ["job.succeeded"]})
        assert hook.status_code == 201, hook.get_json()
        r = api.add_availability(api.person(), span(next_day(), 2))
        receiver.wait_for(1)  # the attempt's request is in, unanswered
        kill_whole_worker(deliverer)
        hold.set()
        killed_at = time.monotonic()
        replacement = start_worker(BROKERS[broker], queues="deliveries", pool=())

        def delivered() -> list[dict[str, object]] | None:
            listed = api.get(f"/v1/webhooks/{hook.get_json()['id']}/deliveries").get_json()
            found: list[dict[str, object]] = listed["deliveries"]
            return found if found and found[0]["status"] != "pending" else None

        [delivery] = wait_until(delivered, RECOVERY, "the delivery settled",
                                replacement.post_mortem)
        took = time.monotonic() - killed_at
        requests = receiver.requests

    assert calendar.job(r.get_json()["id"]).status == "succeeded"
    assert delivery["status"] == "succeeded"
    assert [(a["status_code"], a["error"]) for a in delivery["attempts"]] == [(204, None)]
    assert {q.headers["webhook-id"] for q in requests} == {delivery["id"]}, \
        "one event, one webhook-id across its attempts: the receiver applies it once"
    assert len(requests) == 2  # the killed attempt's request, then the one that was answered
    tally(f"deliveries worker killed mid webhook delivery, {broker}", submitted=1, completed=1,
          duplicated=0, notes=f"{len(requests)} requests with one webhook-id, 1 answered; "
          f"recovered in {took:.1f} s")
