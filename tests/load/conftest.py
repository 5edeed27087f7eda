"""The stack of the load run, started as an operator starts it, and the calendar it begins with.

`interview-calendar serve` (granian, two processes) and two `interview-calendar worker`
processes, on a PostgreSQL database of their own and Redis database 11 as the broker, each in
a process group of its own, stopped at teardown. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import random
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from tests.conftest import REDIS_URL, fresh_database
from tests.processes import free_port, stop_group, wait_until_ready
from tests.stack import (
    CLI,
    JOB_TIMEOUT,
    START_TIMEOUT,
    UNLIMITED,
    WORKER_ENV,
    Worker,
    next_day,
    span,
    wait_until,
)

# A Redis database of its own (the benchmark takes 12, tests/integration 13 and 14,
# tests/api 15): no one else's worker takes these messages, and the rate limiter (which counts
# in the broker's Redis) starts from nothing.
BROKER_URL = os.environ.get("TEST_LOAD_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/11")
WEB_PROCESSES = 2
WEB_THREADS = 4
WORKERS = 2
HTTP_TIMEOUT = (5.0, 40.0)  # connect, read; a read may include `Prefer: wait` (at most 30 s)
INTERVIEWERS = 30
CANDIDATES = 60
SEEDED_DAYS = 3
SEED = 20261128
HOUR = timedelta(hours=1)
DONE = ("succeeded", "failed")  # the statuses a job ends in


@dataclass
class Stack:
    """The running processes, and how to reach the API as its administrator."""

    url: str
    admin_key: str
    database_url: str
    server_log: Path
    workers: list[Worker]

    def logs(self) -> str:
        server = self.server_log.read_text(errors="replace")[-4000:]
        return "\n".join(["--- serve log (tail) ---", server,
                          *(worker.output(3000) for worker in self.workers)])

    def call(self, method: str, path: str, body: Any = None, key: str | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        return requests.request(method, self.url + path, json=body, timeout=HTTP_TIMEOUT,
                                headers={"Authorization": f"Bearer {key or self.admin_key}",
                                         **(headers or {})})


def flush_broker() -> None:
    client = redis.Redis.from_url(BROKER_URL, socket_timeout=5)
    client.flushdb()
    client.close()


def environment(database_url: str, admin_key: str, home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(home), "TMPDIR": str(home),
            "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "DATABASE_URL": database_url,
            "BROKER_URL": BROKER_URL, "ADMIN_API_KEY": admin_key,
            "WEB_CONCURRENCY": str(WEB_PROCESSES), "WEB_THREADS": str(WEB_THREADS),
            "RATE_LIMIT_WRITES": UNLIMITED, "RATE_LIMIT_MATCHES": UNLIMITED,
            "RATE_LIMIT_READS": UNLIMITED, **WORKER_ENV}


def spawn(args: list[str], env: dict[str, str], home: Path, log: Path
          ) -> subprocess.Popen[bytes]:
    """`interview-calendar ARGS` in a process group of its own, its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen([str(CLI), *args], cwd=home, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def spawn_worker(env: dict[str, str], home: Path) -> Worker:
    name = f"load-{uuid.uuid4().hex[:8]}"
    log = home / f"{name}.log"
    proc = spawn(["worker", "--loglevel", "INFO", "--", "--concurrency", "1",
                  "--without-mingle", "--without-gossip", "--hostname", f"{name}@%h"],
                 env, home, log)
    return Worker(proc, name, log)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """The API and two workers, ready; at teardown stopped, then the database and queue gone."""
    admin_key = "ic_" + secrets.token_urlsafe(32)
    with ExitStack() as cleanup:
        flush_broker()
        cleanup.callback(flush_broker)
        database_url = cleanup.enter_context(fresh_database("ic_load"))
        env = environment(database_url, admin_key, tmp_path)
        port = free_port()
        server = spawn(["serve", "--port", str(port)], env, tmp_path, tmp_path / "serve.log")
        # The main process alone: a graceful stop of granian, which removes its metrics folder.
        cleanup.callback(stop_group, server, 30, leader_only=True)
        workers = [spawn_worker(env, tmp_path) for _ in range(WORKERS)]
        for worker in workers:
            cleanup.callback(worker.stop)
        running = Stack(f"http://127.0.0.1:{port}", admin_key, database_url,
                        tmp_path / "serve.log", workers)
        wait_until_ready(server, running.url, running.logs, START_TIMEOUT, pause=0.2)
        for worker in workers:
            worker.wait_ready()
        yield running


# --- the calendar before the run -----------------------------------------------------------

@dataclass(frozen=True)
class Person:
    id: str
    key: str
    role: str


@dataclass(frozen=True)
class Seeded:
    """Who there is, and their hours before the run.

    The seeded days hold hours that only this seeding writes. The days from `owned` on hold
    hours that only the clients write, each block by the one client that allocated it.
    """

    people: list[Person]
    hours: dict[str, set[datetime]]
    seeded: datetime
    owned: datetime

    def of_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]


def create_person(stack: Stack, role: str) -> Person:
    email = f"{role}-{uuid.uuid4().hex[:12]}@example.com"
    r = stack.call("POST", "/v1/people", {"name": role.title(), "email": email, "role": role})
    assert r.status_code == 201, r.text
    return Person(r.json()["id"], r.json()["api_key"], role)


def working_days(rng: random.Random, first: datetime) -> list[tuple[datetime, int]]:
    """A span of 4 to 8 hours starting between 08:00 and 12:00, on each seeded day."""
    return [(first + timedelta(days=day, hours=rng.randint(8, 12)), rng.randint(4, 8))
            for day in range(SEEDED_DAYS)]


def import_hours(stack: Stack, spans: dict[str, list[tuple[datetime, int]]]) -> None:
    """One bulk import, waited for: the run starts on a calendar that is all in place."""
    body = {"entries": [{"person": person, "ranges": [span(start, n) for start, n in days]}
                        for person, days in spans.items()]}
    r = stack.call("POST", "/v1/availability/imports", body, headers={"Prefer": "wait=30"})
    assert r.status_code in (200, 202), r.text

    def finished() -> dict[str, Any] | None:
        job: dict[str, Any] = stack.call("GET", r.headers["Location"]).json()
        return job if job["status"] in DONE else None

    job = wait_until(finished, JOB_TIMEOUT, "the seeding's import", stack.logs)
    assert job["status"] == "succeeded", (job, stack.logs())


@pytest.fixture
def seeded(stack: Stack) -> Seeded:
    """30 interviewers and 60 candidates, each free some hours of three days, from the day
    after tomorrow (so that no hour becomes past during the run)."""
    rng = random.Random(SEED)
    first = next_day() + timedelta(days=1)
    people = [create_person(stack, role) for role, count in
              (("interviewer", INTERVIEWERS), ("candidate", CANDIDATES)) for _ in range(count)]
    spans = {p.id: working_days(rng, first) for p in people}
    import_hours(stack, spans)
    hours = {person: {start + timedelta(hours=k) for start, n in days for k in range(n)}
             for person, days in spans.items()}
    return Seeded(people, hours, first, first + timedelta(days=SEEDED_DAYS + 1))
