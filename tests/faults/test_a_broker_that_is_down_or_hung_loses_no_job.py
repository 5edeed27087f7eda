"""A broker that is down, hung or frozen never fails a submission, slows it past a bound, or
loses the job: the row is the outbox, and a worker's sweep publishes what the API could not.

Each scenario adds a line to the figures: submitted / completed / lost / duplicated, and
answer times.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from werkzeug.test import TestResponse

from tests.faults.conftest import Tally
from tests.network import HungBroker, Proxy, broker_url_on
from tests.stack import BROKERS, Calendar, Client, Worker, next_day, span

pytestmark = pytest.mark.timeout(90)

HOURS_PER_JOB = 2
SUBMISSIONS = 200
# The API answers once the job row is committed; its publisher thread meets the broker.
ANSWER_BOUND = 1.0


def submit(api: Client, person: str, first: datetime, count: int) -> tuple[list[str], list[float]]:
    """`count` jobs adding disjoint hours; their ids and how long each answer took."""
    ids, seconds = [], []
    for k in range(count):
        r, took = api.timed_add_availability(
            person, span(first + timedelta(hours=HOURS_PER_JOB * k), HOURS_PER_JOB))
        assert r.status_code == 202, (r.status_code, r.get_json())
        ids.append(r.get_json()["id"])
        seconds.append(took)
    return ids, seconds


def assert_left_for_the_sweep(api: Client, calendar: Calendar, ids: list[str]) -> None:
    assert api.runtime.publisher.wait_idle(30), "the publisher never gave up"
    rows = calendar.jobs(ids).values()
    assert [(job.status, job.published_at) for job in rows] == [("queued", None)] * len(ids)


def submit_many(api: Client, person: str, first: datetime, count: int,
                threads: int = 8) -> list[tuple[TestResponse, float]]:
    """`count` jobs adding disjoint hours from `threads` clients at once; answers and times."""
    def one(k: int) -> tuple[TestResponse, float]:
        own = replace(api, client=api.client.application.test_client())
        return own.timed_add_availability(
            person, span(first + timedelta(hours=HOURS_PER_JOB * k), HOURS_PER_JOB))

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(count)))


def assert_each_ran_once(calendar: Calendar, ids: list[str], worker: Worker, scenario: str,
                         seconds: list[float], tally: Tally, notes: str = "") -> None:
    """Every job succeeded, with its own hours added exactly once; the scenario's line."""
    began = time.monotonic()
    rows = calendar.wait_for(ids, explain=worker.post_mortem)
    waited = time.monotonic() - began
    completed = [job for job in rows.values() if job.status == "succeeded"]
    duplicated = [job for job in completed
                  if job.result != {"added": HOURS_PER_JOB, "already_present": 0}]
    tally(scenario, submitted=len(ids), completed=len(completed), duplicated=len(duplicated),
          notes=f"{notes}answers: max {max(seconds):.2f} s, mean "
                f"{sum(seconds) / len(seconds):.2f} s; all done {waited:.1f} s later")
    assert len(completed) == len(ids), [(job.status, job.error) for job in rows.values()]
    assert not duplicated
    assert [job.attempts for job in rows.values()] == [1] * len(ids)
    assert calendar.hours() == HOURS_PER_JOB * len(ids)


def test_every_job_submitted_while_the_broker_is_down_runs_once_it_is_back(
        api_on: Callable[..., Client], start_worker: Callable[..., Worker],
        calendar: Calendar, broker_proxy: Proxy, broker: str, tally: Tally) -> None:
    """The API and the worker both reach the broker through a proxy, which goes down: every
    connection dropped, new ones refused, while 200 jobs are submitted; then it is back."""
    through_proxy = broker_url_on(broker, port=broker_proxy.port)
    worker, api = start_worker(through_proxy), api_on(through_proxy)
    person, first = api.person(), next_day()
    warm, _ = submit(api, person, first, 1)
    calendar.wait_for(warm, explain=worker.post_mortem)  # both hold live connections

    broker_proxy.down()
    answers = submit_many(api, person, first + timedelta(hours=HOURS_PER_JOB), SUBMISSIONS)
    statuses = Counter(r.status_code for r, _ in answers)
    assert set(statuses) <= {202, 503}, statuses
    for r, _ in answers:
        if r.status_code == 503:
            assert r.content_type == "application/problem+json" and r.headers["Retry-After"]
    accepted = [(r.get_json()["id"], took) for r, took in answers if r.status_code == 202]
    seconds = [took for _, took in accepted]
    assert max(seconds) < ANSWER_BOUND, sorted(seconds)[-5:]
    broker_proxy.up()

    assert_each_ran_once(calendar, warm + [i for i, _ in accepted], worker,
                         f"broker down during {SUBMISSIONS} submissions, then back, {broker}",
                         seconds, tally, notes=f"answers {dict(sorted(statuses.items()))}; ")


def test_jobs_accepted_while_the_broker_never_answers_run_once_it_is_back(
        api_on: Callable[..., Client], start_worker: Callable[..., Worker],
        calendar: Calendar, hung_broker: HungBroker, broker: str, tally: Tally) -> None:
    api = api_on(broker_url_on(broker, port=hung_broker.port))
    ids, seconds = submit(api, api.person(), next_day(), 5)
    assert max(seconds) < ANSWER_BOUND, seconds
    assert_left_for_the_sweep(api, calendar, ids)

    worker = start_worker(BROKERS[broker])
    assert_each_ran_once(calendar, ids, worker, f"broker accepting but never answering, {broker}",
                         seconds, tally)


def test_jobs_accepted_while_the_apis_broker_connection_is_frozen_still_run(
        api_on: Callable[..., Client], start_worker: Callable[..., Worker],
        calendar: Calendar, broker_proxy: Proxy, broker: str, tally: Tally) -> None:
    """The API reaches the broker through a proxy that freezes; the worker reaches it directly."""
    worker = start_worker(BROKERS[broker])
    api = api_on(broker_url_on(broker, port=broker_proxy.port))
    person, first = api.person(), next_day()
    before, _ = submit(api, person, first, 1)
    calendar.wait_for(before, explain=worker.post_mortem)  # the API holds a live connection

    broker_proxy.frozen.set()
    during, seconds = submit(api, person, first + timedelta(hours=HOURS_PER_JOB), 3)
    assert max(seconds) < ANSWER_BOUND, seconds
    calendar.wait_for(during, explain=worker.post_mortem)  # published by the worker's sweep

    broker_proxy.frozen.clear()
    after, _ = submit(api, person, first + timedelta(hours=HOURS_PER_JOB * 4), 1)
    assert_each_ran_once(calendar, before + during + after, worker,
                         f"the API's broker connection frozen, {broker}", seconds, tally)


def test_a_job_is_accepted_when_rabbitmq_refuses_our_login(
        api_on: Callable[..., Client], start_worker: Callable[..., Worker],
        calendar: Calendar, tally: Tally) -> None:
    """amqp raises AccessRefused, which kombu does not wrap: it must not escape the commit."""
    api = api_on(broker_url_on("rabbitmq", password="not-the-password"))
    person, first = api.person(), next_day()
    ids, seconds = submit(api, person, first, 3)
    assert max(seconds) < ANSWER_BOUND, seconds
    assert_left_for_the_sweep(api, calendar, ids)
    body = {"ranges": [span(first + timedelta(hours=HOURS_PER_JOB * 3), HOURS_PER_JOB)]}
    path, key = f"/v1/people/{person}/availability", {"Idempotency-Key": "login-refused"}
    once = api.post(path, body, key)
    again = api.post(path, body, key)
    assert (once.status_code, again.status_code) == (202, 202)
    assert again.get_json()["id"] == once.get_json()["id"]  # a replay, not a second job
    ids.append(once.get_json()["id"])

    worker = start_worker(BROKERS["rabbitmq"])
    assert_each_ran_once(calendar, ids, worker, "rabbitmq refusing the login", seconds, tally)
