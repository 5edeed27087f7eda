"""The production stack for tests/integration and tests/faults: the API in production mode in
this process, real worker processes, real brokers.

The API is the Flask app over a Runtime whose broker is Redis or RabbitMQ (or a broker that is
down or hung, on purpose); the worker is `interview-calendar worker` in a process group of its
own, killed with its pool at teardown. Everything runs on the PostgreSQL, Redis and RabbitMQ of
127.0.0.1; nothing is mocked and nothing is skipped when a service is missing.

Two things are the stack's own, so that nothing else takes its work:
- the database: tests/api keeps an embedded worker and a sweeper running on the session-wide
  `database_url` until the session ends, and they would publish and run these tests' jobs;
- the queue (`task_default_queue`, for the API and, from the command line, for the worker), so
  that another worker on the same broker, such as a developer's, never takes these messages;
  and with it the webhook deliveries' queue, named after it.

As in production (Procfile, docker-compose.yml), jobs and webhook deliveries have workers of
their own: `worker` runs the jobs, and a test of webhooks starts a deliveries worker too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from kombu import Connection, Exchange, Queue
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from api.app import create_app
from models import AvailabilityHour, Job, utcnow
from tests.conftest import AMQP_URL, REDIS_URL, fresh_database, truncate_all
from tests.network import BROKERS
from tests.processes import stop_group
from workers import api_keys
from workers.queue.factory import create_runtime
from workers.queue.runtime import Runtime
from workers.settings import Settings

CLI = Path(sys.executable).with_name("interview-calendar")
QUEUE = f"ic-integration-{uuid.uuid4().hex[:10]}"
DELIVERIES_QUEUE = f"{QUEUE}.deliveries"  # named so by workers/queue/routes.py
PREFORK = ("--pool", "prefork", "--concurrency", "1")
START_TIMEOUT = 30.0
JOB_TIMEOUT = 40.0
# Short enough that a dead attempt is handed on within seconds; and stacks on a fatal signal.
# Webhooks go to receivers on this machine (tests/receiver.py).
WORKER_ENV = {"JOB_LEASE_SECONDS": "3", "SWEEP_INTERVAL_SECONDS": "1",
              "REQUEUE_AFTER_SECONDS": "10", "PYTHONFAULTHANDLER": "1",
              "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true"}
DONE = ("succeeded", "failed")


def wait_until(check: Callable[[], Any], timeout: float, what: str,
               explain: Callable[[], str] = lambda: "") -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s\n{explain()}")
        time.sleep(0.1)


def next_day() -> datetime:
    """An hour well inside the publishable window: tomorrow at 00:00 UTC."""
    return datetime.combine(datetime.now(UTC).date() + timedelta(days=1),
                            datetime.min.time(), UTC)


def z(moment: datetime) -> str:
    """UTC with `Z`, as the API answers (and as a query string can carry it)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span(start: datetime, hours: int) -> dict[str, str]:
    return {"start": z(start), "end": z(start + timedelta(hours=hours))}


# --- the database -------------------------------------------------------------------------

@dataclass
class Calendar:
    """Direct reads of the database, to check what the API and the workers wrote."""

    url: str
    engine: Engine

    def jobs(self, ids: list[str]) -> dict[str, Job]:
        with Session(self.engine) as session:
            rows = session.scalars(select(Job).where(Job.id.in_([uuid.UUID(i) for i in ids])))
            return {str(job.id): job for job in rows}

    def job(self, job_id: str) -> Job:
        return self.jobs([job_id])[job_id]

    def hours(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(AvailabilityHour)) or 0)

    def wait_for(self, ids: list[str], timeout: float = JOB_TIMEOUT,
                 explain: Callable[[], str] = lambda: "") -> dict[str, Job]:
        """Every job finished (succeeded or failed); returns the rows."""
        def finished() -> dict[str, Job] | None:
            rows = self.jobs(ids)
            return rows if all(rows[i].status in DONE for i in ids) else None

        def report() -> str:
            statuses = [r.status for r in self.jobs(ids).values()]
            counts = {s: statuses.count(s) for s in set(statuses)}
            return f"job statuses {counts}\n{explain()}"

        rows: dict[str, Job] = wait_until(finished, timeout, f"{len(ids)} job(s) finishing",
                                          report)
        return rows


@pytest.fixture(scope="session")
def integration_database_url() -> Iterator[str]:
    """A database of this package's own."""
    with fresh_database("ic_integration") as url:
        yield url


@pytest.fixture
def calendar(integration_database_url: str) -> Iterator[Calendar]:
    """An empty calendar."""
    truncate_all(integration_database_url)
    engine = create_engine(integration_database_url)
    yield Calendar(integration_database_url, engine)
    engine.dispose()


# --- brokers ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def queue() -> Iterator[str]:
    """This session's queue; removed, with its deliveries' queue, from both brokers at the end."""
    yield QUEUE
    with Connection(AMQP_URL, connect_timeout=5) as conn:
        channel = conn.channel()
        for name in (QUEUE, DELIVERIES_QUEUE):
            Queue(name, Exchange(name), name, channel=channel).delete()
            Exchange(name, channel=channel).delete()
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    for key in client.scan_iter(match=f"*{QUEUE}*"):  # the list and kombu's binding sets
        client.delete(key)
    client.close()


@pytest.fixture(params=list(BROKERS), ids=list(BROKERS))
def broker(request: pytest.FixtureRequest) -> str:
    """The name of a real broker: each test that takes it runs on Redis and on RabbitMQ."""
    name: str = request.param
    return name


# --- the API --------------------------------------------------------------------------------

@dataclass
class Client:
    """The production API in this process, acting with one admin key."""

    runtime: Runtime
    client: FlaskClient
    key: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def get(self, path: str) -> TestResponse:
        return self.client.get(path, headers=self._headers())

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(path, json=body, headers={**self._headers(), **(headers or {})})

    def person(self, role: str = "interviewer") -> str:
        r = self.post("/v1/people", {"name": "Pat", "role": role,
                                     "email": f"pat-{uuid.uuid4().hex}@example.com"})
        assert r.status_code == 201, r.get_json()
        return str(r.get_json()["id"])

    def add_availability(self, person: str, *ranges: dict[str, str]) -> TestResponse:
        return self.post(f"/v1/people/{person}/availability", {"ranges": list(ranges)})

    def timed_add_availability(self, person: str, *ranges: dict[str, str]
                               ) -> tuple[TestResponse, float]:
        began = time.monotonic()
        r = self.add_availability(person, *ranges)
        return r, time.monotonic() - began


# Far above what test clients can send: the runs measure the service, not the abuse limits.
UNLIMITED = "1000000/second"


def production_runtime(database_url: str, broker_url: str, queue: str) -> Runtime:
    """A production-mode runtime publishing to `queue` and delivering webhooks to this machine."""
    runtime = create_runtime(replace(Settings.from_env({}), database_url=database_url,
                                     broker_url=broker_url,
                                     webhook_allow_private_networks=True,  # tests/receiver.py
                                     rate_limit_writes=UNLIMITED, rate_limit_reads=UNLIMITED))
    runtime.celery.conf.task_default_queue = queue
    return runtime


@pytest.fixture
def api_on(calendar: Calendar, queue: str) -> Iterator[Callable[..., Client]]:
    """Builds the API over this test's calendar with a broker URL of the test's choosing (and
    a database URL: the calendar's, through a proxy)."""
    runtimes: list[Runtime] = []

    def build(broker_url: str, database_url: str | None = None) -> Client:
        runtime = production_runtime(database_url or calendar.url, broker_url, queue)
        runtimes.append(runtime)
        with runtime.sessions.begin() as session:
            key = api_keys.issue(session, "admin", utcnow(), label="integration tests")
        return Client(runtime, create_app(runtime).test_client(), key)

    yield build
    for runtime in runtimes:
        runtime.celery.close()
        runtime.engine.dispose()


@pytest.fixture
def api(api_on: Callable[..., Client], broker: str) -> Client:
    """The API on the real broker of this test's parameter."""
    return api_on(BROKERS[broker])


# --- worker processes ---------------------------------------------------------------------

def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid`, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # it exited meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def process_state(pid: int) -> str:
    """State and kernel wait channel, e.g. `S futex_do_wait` for a process stuck on a lock."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return f"{state} {Path(f'/proc/{pid}/wchan').read_text()}"
    except OSError:
        return "gone"


@dataclass
class Worker:
    """`interview-calendar worker`: a Celery main process and its prefork pool."""

    proc: subprocess.Popen[bytes]
    name: str
    log: Path

    def output(self, tail: int = 6000) -> str:
        return (f"--- worker {self.name}: main {self.proc.pid} {process_state(self.proc.pid)}, "
                f"pool {[(pid, process_state(pid)) for pid in self.pool()]}; log (tail) ---\n"
                + self.log.read_text(errors="replace")[-tail:])

    def post_mortem(self) -> str:
        """The log after SIGABRT to each pool process: faulthandler writes their Python stacks."""
        for pid in self.pool():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGABRT)
        time.sleep(1)
        return self.output(20000)

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                pytest.fail(f"the worker exited with {self.proc.returncode}\n{self.output()}")
            return any(self.name in line and " ready." in line
                       for line in self.log.read_text(errors="replace").splitlines())
        wait_until(ready, START_TIMEOUT, f"worker {self.name} ready", self.output)

    def pool(self) -> list[int]:
        return children_of(self.proc.pid)

    def stop(self) -> None:
        """Warm shutdown; the pool too, if the main process left it."""
        stop_group(self.proc, grace=10)


@pytest.fixture
def start_worker(calendar: Calendar, queue: str, tmp_path: Path
                 ) -> Iterator[Callable[..., Worker]]:
    """Starts `interview-calendar worker` on a broker URL (and a database URL, by default the
    calendar's; the `queues` it consumes; its `pool` options, none for the worker's own
    choice; and settings added to its environment), and waits until it is ready."""
    started: list[Worker] = []

    def start(broker_url: str, database_url: str | None = None, *, queues: str = "jobs",
              pool: tuple[str, ...] = PREFORK, **settings: str) -> Worker:
        name = f"it-{uuid.uuid4().hex[:8]}"
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path),
               "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
               "DATABASE_URL": database_url or calendar.url, "BROKER_URL": broker_url,
               **WORKER_ENV, **settings}
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(CLI), "worker", "--loglevel", "INFO", "--queues", queues, "--",
                 *pool, "--hostname", f"{name}@%h",
                 "--without-mingle", "--without-gossip", f"task_default_queue={queue}"],
                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
        worker = Worker(proc, name, log)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def worker(start_worker: Callable[..., Worker], broker: str) -> Worker:
    """A jobs worker on the real broker of this test's parameter."""
    return start_worker(BROKERS[broker])
