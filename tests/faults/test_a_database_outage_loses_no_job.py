"""PostgreSQL going away under load: the API answers 503 with Retry-After while it is gone
(never 500), recovers by itself, the workers retry, and no accepted job is lost or applied twice.

Clients submit jobs and ask for slots from several threads for the whole scenario. A client
that gets a 503 sends the same request again with its Idempotency-Key, as a client should; a
409 means that key's first request was cut off mid-way and still holds its claim, so that
submission was not accepted (its key frees itself, see api/writes.py). Two outages: every
connection to the database killed at once by `pg_terminate_backend`, three times over; and the
database unreachable for some seconds (a proxy in front of it that drops every connection and
refuses new ones, for the API and the worker alike).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text
from werkzeug.test import TestResponse

from models import Job
from tests.faults.conftest import Tally
from tests.network import Proxy, through
from tests.stack import BROKERS, Calendar, Client, Worker, next_day, span, z

pytestmark = pytest.mark.timeout(150)

HOURS_PER_JOB = 2
SEEDED_HOURS_EACH = 24  # for the interviewer and the candidate the slot queries name
SUBMITTERS = 3
RECOVERY = 20.0
DOWN_FOR = 4.0


@dataclass
class Load:
    """Clients submitting jobs and asking for slots until stopped; every answer is recorded."""

    api: Client
    interviewer: str
    candidate: str
    first: datetime  # the load adds hours from here on, each job its own
    stop: threading.Event = field(default_factory=threading.Event)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    taken: int = 0

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._guarded, args=(work,), daemon=True)
                        for work in [self._submit] * SUBMITTERS + [self._ask_for_slots]]
        for thread in self.threads:
            thread.start()

    def _guarded(self, work: Callable[[], None]) -> None:
        """An exception out of the app (not an answer) is a failure of the scenario."""
        try:
            work()
        except Exception as exc:
            with self.lock:
                self.bad.append(f"{work.__name__} raised {exc!r}")

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def unavailable(self) -> int:
        with self.lock:
            return sum(n for (_, status), n in self.statuses.items() if status == 503)

    def summary(self) -> str:
        return ", ".join(f"{kind} {status}={n}"
                         for (kind, status), n in sorted(self.statuses.items()))

    def _client(self) -> Client:
        return replace(self.api, client=self.api.client.application.test_client())

    def _record(self, kind: str, r: TestResponse, expected: set[int]) -> None:
        with self.lock:
            self.statuses[(kind, r.status_code)] += 1
            if r.status_code not in expected:
                self.bad.append(f"{kind}: {r.status_code} {r.get_data(as_text=True)[:200]}")
            elif r.status_code == 503 and not (r.headers.get("Retry-After") and
                                               r.content_type == "application/problem+json"):
                self.bad.append(f"{kind}: 503 without Retry-After or problem+json")

    def _new_hours(self) -> dict[str, str]:
        with self.lock:
            k, self.taken = self.taken, self.taken + 1
        return span(self.first + timedelta(hours=HOURS_PER_JOB * k), HOURS_PER_JOB)

    def _submit(self) -> None:
        client = self._client()
        while not self.stop.is_set():
            body, key = {"ranges": [self._new_hours()]}, {"Idempotency-Key": uuid.uuid4().hex}
            while True:  # the same request until it is answered for good, or the load ends
                r = client.post(f"/v1/people/{self.interviewer}/availability", body, key)
                self._record("write", r, {202, 409, 503})
                if r.status_code != 503 or self.stop.is_set():
                    break
                time.sleep(0.2)
            if r.status_code == 202:
                with self.lock:
                    self.accepted.append(r.get_json()["id"])

    def _ask_for_slots(self) -> None:
        client = self._client()
        window = f"from={z(self.first)}&to={z(self.first + timedelta(days=30))}"
        while not self.stop.is_set():
            self._record("slots", client.get(f"/v1/slots?candidate={self.candidate}&{window}"),
                         {200, 503})
            time.sleep(0.02)


def ready(api: Client) -> int:
    return api.client.get("/readyz").status_code


def start_load(api: Client) -> tuple[Load, set[str]]:
    """Two people with a day of hours, and the load running; and the ids of the seed jobs."""
    first = next_day()
    load = Load(api, api.person(), api.person("candidate"), first + timedelta(days=2))
    seeds = set()
    for person in (load.interviewer, load.candidate):
        r = api.post(f"/v1/people/{person}/availability",
                     {"ranges": [span(first, SEEDED_HOURS_EACH)]},
                     {"Prefer": "wait=20"})
        assert r.get_json()["status"] == "succeeded", r.get_json()
        seeds.add(r.get_json()["id"])
    load.start()
    return load, seeds


def every_job_applied_once(calendar: Calendar, load: Load, seeds: set[str], worker: Worker,
                           scenario: str, tally: Tally, notes: str) -> None:
    """Every job of the load in the database (all the accepted ones, and any whose answer was
    cut off) succeeded and added its own hours exactly once."""
    with calendar.engine.connect() as conn:
        ids = [str(i) for i in conn.scalars(select(Job.id))]
    rows = calendar.wait_for(ids, RECOVERY * 3, worker.post_mortem)
    jobs = [job for job in rows.values() if str(job.id) not in seeds]
    completed = {str(job.id) for job in jobs if job.status == "succeeded"}
    duplicated = [job for job in jobs if job.status == "succeeded"
                  and job.result != {"added": HOURS_PER_JOB, "already_present": 0}]
    lost = set(load.accepted) - completed
    attempts = Counter(job.attempts for job in jobs)
    tally(scenario, submitted=len(load.accepted), completed=len(load.accepted) - len(lost),
          duplicated=len(duplicated), notes=f"{notes}; answers: {load.summary()}; "
          f"jobs by attempts {dict(sorted(attempts.items()))}")
    assert load.bad == []
    assert not lost, [(rows[i].status, rows[i].error) for i in lost]
    assert not duplicated
    assert len(completed) == len(jobs), [(j.status, j.error) for j in jobs]
    assert calendar.hours() == HOURS_PER_JOB * len(jobs) + 2 * SEEDED_HOURS_EACH


def test_killing_every_database_connection_under_load_loses_no_job(
        api: Client, worker: Worker, calendar: Calendar, broker: str, tally: Tally) -> None:
    load, seeds = start_load(api)
    killer = create_engine(calendar.url, isolation_level="AUTOCOMMIT")
    killed = 0
    try:
        for _ in range(3):
            time.sleep(1.0)
            with killer.connect() as conn:
                killed += len(conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())
        time.sleep(1.0)
    finally:
        load.finish()
        killer.dispose()

    assert killed > 0
    every_job_applied_once(calendar, load, seeds, worker,
                           f"every database connection killed 3 times under load, {broker}",
                           tally, f"{killed} connections killed")


def test_the_database_gone_for_seconds_under_load_answers_503_then_recovers(
        api_on: Callable[..., Client], start_worker: Callable[..., Worker], calendar: Calendar,
        database_proxy: Proxy, broker: str, tally: Tally) -> None:
    """The API and the worker reach PostgreSQL through a proxy, which goes down for a while."""
    database_url = through(database_proxy, calendar.url)
    worker = start_worker(BROKERS[broker], database_url)
    api = api_on(BROKERS[broker], database_url)
    load, seeds = start_load(api)
    try:
        time.sleep(1.5)
        before = load.unavailable()
        database_proxy.down()
        gone_at = time.monotonic()
        time.sleep(DOWN_FOR / 2)
        while_down = ready(api)
        time.sleep(DOWN_FOR / 2)
        down_503s = load.unavailable() - before
        database_proxy.up()
        back_at = time.monotonic()
        while ready(api) != 200 and time.monotonic() < back_at + RECOVERY:
            time.sleep(0.1)
        recovered = time.monotonic() - back_at
        time.sleep(1.5)
    finally:
        load.finish()

    assert while_down == 503, "/readyz said ready without its database"
    assert down_503s > 0, "no answer said 503 while the database was gone"
    assert recovered < RECOVERY
    every_job_applied_once(calendar, load, seeds, worker,
                           f"database unreachable for {DOWN_FOR:g} s under load, {broker}",
                           tally, f"/readyz 503 while down, 200 again {recovered:.1f} s after "
                           f"it was back ({back_at - gone_at:.1f} s down)")
