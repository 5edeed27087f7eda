"""The Procfile as a platform runs it: `release` once, then web, worker, deliverer and flower
under honcho.

Real PostgreSQL (a database of this session's own) and Redis on 127.0.0.1. honcho runs in a
process group of its own and each Procfile entry in another; all of them are killed at teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import processes
from tests.conftest import REDIS_URL
from tests.processes import free_port
from tests.receiver import receiving

pytestmark = pytest.mark.timeout(240)

ROOT = Path(__file__).resolve().parents[2]
PROCFILE = ROOT / "Procfile"
BIN = Path(sys.executable).parent
HONCHO = BIN / "honcho"
# A Redis database of its own, so that no other test's worker takes this test's messages.
BROKER_URL = os.environ.get("TEST_PROCFILE_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/13")
FLOWER_AUTH = ("flower", secrets.token_urlsafe(12))
HTTP_TIMEOUT = 10
START_TIMEOUT = 90
JOB_TIMEOUT = 60
STARTED = re.compile(r"(\S+) started \(pid=(\d+)\)")



def procfile_entries() -> dict[str, str]:
    entries = {}
    for line in PROCFILE.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.startswith("#"):
            entries[name.strip()] = command.strip()
    return entries


@dataclass
class Stack:
    honcho: subprocess.Popen[bytes]
    log: Path
    web: str
    flower: str
    admin_key: str

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def children(self) -> list[int]:
        """Pids of the Procfile entries; each leads a process group of its own."""
        return [int(pid) for _, pid in STARTED.findall(self.log.read_text(errors="replace"))]

    def shut_down(self) -> None:
        """SIGTERM to honcho (it stops every entry), then SIGKILL whatever is left."""
        if self.honcho.poll() is None:
            os.kill(self.honcho.pid, signal.SIGTERM)
            try:
                self.honcho.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.honcho.pid, signal.SIGKILL)
                self.honcho.wait(timeout=10)
        for pid in self.children():
            with contextlib.suppress(ProcessLookupError):  # it stopped cleanly
                os.killpg(pid, signal.SIGKILL)


def environment(database_url: str, admin_key: str, web_port: int, flower_port: int,
                home: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "BROKER_URL": BROKER_URL,
        "ADMIN_API_KEY": admin_key,
        "CALENDAR_TZ": "UTC",
        "PORT": str(web_port),
        "FLOWER_PORT": str(flower_port),
        "FLOWER_BASIC_AUTH": ":".join(FLOWER_AUTH),
        "WEB_CONCURRENCY": "2",
        "WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # callbacks to tests/receiver.py
    }


def wait_until_ready(stack: Stack) -> None:
    processes.wait_until_ready(stack.honcho, stack.web, stack.logs, START_TIMEOUT, pause=0.2)


@pytest.fixture(scope="module")
def release(integration_database_url: str, tmp_path_factory: pytest.TempPathFactory
            ) -> subprocess.CompletedProcess[str]:
    """`honcho run` of the Procfile's release entry, on the (already migrated) test database."""
    tmp = tmp_path_factory.mktemp("release")
    (tmp / "empty.env").write_text("")
    env = environment(integration_database_url, secrets.token_urlsafe(24), 0, 0, tmp)
    command = shlex.split(procfile_entries()["release"])
    return subprocess.run([str(HONCHO), "-e", str(tmp / "empty.env"), "run", *command],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


@pytest.fixture(scope="module")
def stack(integration_database_url: str, release: subprocess.CompletedProcess[str],
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("procfile")
    (tmp / "empty.env").write_text("")
    web_port, flower_port = free_port(), free_port()
    admin_key = "ic_" + secrets.token_urlsafe(32)
    env = environment(integration_database_url, admin_key, web_port, flower_port, tmp)
    log = tmp / "honcho.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [str(HONCHO), "-f", str(PROCFILE), "-e", str(tmp / "empty.env"), "--no-colour",
             "start", "-p", str(web_port), "web", "worker", "deliverer", "flower"],
            cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    running = Stack(honcho, log, f"http://127.0.0.1:{web_port}",
                    f"http://127.0.0.1:{flower_port}", admin_key)
    try:
        wait_until_ready(running)
        yield running
    finally:
        running.shut_down()


def test_the_release_entry_migrates_the_database(
        release: subprocess.CompletedProcess[str]) -> None:
    assert release.returncode == 0, release.stdout + release.stderr
    assert "database schema is up to date" in release.stdout


def call(stack: Stack, method: str, path: str, body: Any = None,
         key: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {key or stack.admin_key}"}
    return requests.request(method, stack.web + path, json=body, headers=headers,
                            timeout=HTTP_TIMEOUT)


def test_a_job_runs_through_web_and_worker_and_its_callback_through_the_deliverer(
        stack: Stack) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    r = call(stack, "POST", "/v1/people", {"name": "Ada", "email": email, "role": "interviewer"})
    assert r.status_code == 201, r.text
    person = r.json()["id"]
    day = datetime.now(UTC).date() + timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    hours = [{"start": (start + timedelta(hours=k)).isoformat(),
              "end": (start + timedelta(hours=k + 1)).isoformat()} for k in range(8)]
    with receiving() as receiver:
        r = call(stack, "POST", f"/v1/people/{person}/availability",
                 {"ranges": hours, "callback_url": receiver.url})
        assert r.status_code == 202, r.text
        [callback] = receiver.wait_for(1, JOB_TIMEOUT)  # only the deliverer sends them
    assert json.loads(callback.body)["type"] == "job.succeeded"
    location = r.headers["Location"]

    deadline = time.monotonic() + JOB_TIMEOUT
    job = call(stack, "GET", location).json()
    while job["status"] not in ("succeeded", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job = call(stack, "GET", location).json()
    assert job["status"] == "succeeded", (job, stack.logs())
    assert job["result"] == {"added": 8, "already_present": 0}

    got = call(stack, "GET", f"/v1/people/{person}/availability"
               f"?from={day.isoformat()}T00:00:00Z&to={day.isoformat()}T23:00:00Z")
    assert got.status_code == 200
    assert got.json() == {"ranges": [{"start": f"{day.isoformat()}T09:00:00Z",
                                      "end": f"{day.isoformat()}T17:00:00Z"}],
                          "booked": [], "busy": []}


def test_flower_shows_the_worker_behind_basic_auth_and_read_only(stack: Stack) -> None:
    assert requests.get(stack.flower + "/healthcheck", timeout=HTTP_TIMEOUT).text == "OK"
    assert requests.get(stack.flower + "/api/workers", timeout=HTTP_TIMEOUT).status_code == 401

    deadline = time.monotonic() + 30
    workers: dict[str, Any] = {}
    while not workers and time.monotonic() < deadline:
        r = requests.get(stack.flower + "/api/workers", params={"refresh": "1"},
                         auth=FLOWER_AUTH, timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        workers = {name: info for name, info in r.json().items()
                   if any(q["name"] == "interview-calendar"
                          for q in info.get("active_queues") or [])}
        time.sleep(0.5)
    assert workers, stack.logs()

    name = next(iter(workers))
    grow = requests.post(f"{stack.flower}/api/worker/pool/grow/{name}", params={"n": "1"},
                         auth=FLOWER_AUTH, timeout=HTTP_TIMEOUT)
    assert grow.status_code == 403  # --read_only: monitoring only, no remote control
