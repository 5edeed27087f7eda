"""Flower, as the Procfile runs it, on the real Redis broker: it shows a real worker and the task
of a job submitted through the API, behind basic auth; its own /metrics is open to anyone.

Flower runs in a process group of its own and is killed at teardown.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import REDIS_URL
from tests.processes import free_port, stop_group
from tests.stack import Calendar, Client, Worker, next_day, span, wait_until

pytestmark = pytest.mark.timeout(120)

CELERY = Path(sys.executable).with_name("celery")
HTTP_TIMEOUT = 5
START_TIMEOUT = 30.0
SEEN_TIMEOUT = 30.0  # Flower learns of workers and tasks from events, within seconds


@dataclass
class Flower:
    proc: subprocess.Popen[bytes]
    url: str
    auth: tuple[str, str]
    log: Path

    def output(self) -> str:
        return "--- flower log (tail) ---\n" + self.log.read_text(errors="replace")[-4000:]

    def get(self, path: str, auth: tuple[str, str] | None = None, **params: str
            ) -> requests.Response:
        if self.proc.poll() is not None:
            pytest.fail(f"flower exited with {self.proc.returncode}\n{self.output()}")
        return requests.get(self.url + path, params=params, auth=auth, timeout=HTTP_TIMEOUT)

    def api(self, path: str, **params: str) -> Any:
        r = self.get(path, self.auth, **params)
        assert r.status_code == 200, (r.status_code, r.text, self.output())
        return r.json()

    def stop(self) -> None:
        stop_group(self.proc, grace=10)


@pytest.fixture
def flower(tmp_path: Path) -> Iterator[Flower]:
    """`celery flower` with the Procfile's options, started before the worker so that it
    receives the worker's events from the start."""
    port = free_port()
    auth = ("monitor", secrets.token_urlsafe(12))
    log = tmp_path / "flower.log"
    # No FLOWER_* variables from the developer's environment: Flower would read them.
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path),
           "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(CELERY), f"--broker={REDIS_URL}", "flower", "--address=127.0.0.1",
             f"--port={port}", f"--basic_auth={':'.join(auth)}", "--read_only"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    running = Flower(proc, f"http://127.0.0.1:{port}", auth, log)
    try:
        def healthy() -> bool:
            with contextlib.suppress(requests.ConnectionError):
                return running.get("/healthcheck").text == "OK"
            return False

        wait_until(healthy, START_TIMEOUT, "flower answering", running.output)
        yield running
    finally:
        running.stop()


def test_flower_shows_the_worker_and_a_finished_job_behind_basic_auth(
        flower: Flower, start_worker: Callable[..., Worker],
        api_on: Callable[..., Client], calendar: Calendar, queue: str) -> None:
    worker = start_worker(REDIS_URL)
    api = api_on(REDIS_URL)
    hostname = f"{worker.name}@"

    def alive() -> bool:  # from the worker's own events (online, heartbeats)
        status = flower.api("/api/workers", status="true")
        return any(name.startswith(hostname) and up for name, up in status.items())

    wait_until(alive, SEEN_TIMEOUT, "flower seeing the worker's events", flower.output)
    r = api.add_availability(api.person(), span(next_day(), 2))
    assert r.status_code == 202, r.get_json()
    job_id = r.get_json()["id"]
    calendar.wait_for([job_id], explain=worker.output)
    assert calendar.job(job_id).status == "succeeded"

    def inspected() -> tuple[str, dict[str, Any]] | None:
        """Our worker's answer to Flower's remote-control inspection (it waits for answers
        only so long: a busy machine may need another ask)."""
        workers = flower.api("/api/workers", refresh="true")
        return next(((n, w) for n, w in workers.items()
                     if n.startswith(hostname) and w.get("active_queues")), None)

    name, inspection = wait_until(inspected, SEEN_TIMEOUT, "flower inspecting the worker",
                                  flower.output)
    assert [q["name"] for q in inspection["active_queues"]] == [queue]

    def finished_task() -> dict[str, Any] | None:
        tasks = flower.api("/api/tasks", workername=name)
        return next((t for t in tasks.values()
                     if job_id in (t.get("args") or "") and t.get("state") == "SUCCESS"), None)

    task = wait_until(finished_task, SEEN_TIMEOUT, "flower listing the succeeded task",
                      flower.output)
    assert task["name"] == "workers.add_availability"
    assert task["worker"] == name

    for path in ("/api/workers", "/api/tasks", "/", "/tasks"):
        assert flower.get(path).status_code == 401, path
        assert flower.get(path, ("monitor", "wrong")).status_code == 401, path
    # Flower's own Prometheus endpoint is not behind the basic auth: it names the workers and
    # task types (no arguments or results) to anyone who can reach the port.
    exposed = flower.get("/metrics")
    assert exposed.status_code == 200
    assert f'worker="{name}"' in exposed.text
    assert 'task="workers.add_availability"' in exposed.text
