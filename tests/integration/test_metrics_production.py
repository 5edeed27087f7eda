"""`interview-calendar serve` in production mode: /metrics adds up the requests of every
granian worker process, keeps the counts of a worker that was replaced, and the folder that
holds them is removed when the server stops.

The server runs in a process group of its own and is killed at teardown.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import REDIS_URL
from tests.processes import free_port, stop_group
from tests.stack import CLI, START_TIMEOUT, Calendar, children_of, wait_until

pytestmark = pytest.mark.timeout(120)

HTTP_TIMEOUT = 5
WORKERS = 2
FOLDER = re.compile(r"gathered in ([^\"\s]+)")
SAMPLE = re.compile(r"_(\d+)\.db$")


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    key: str
    log: Path

    def output(self) -> str:
        return "--- serve log (tail) ---\n" + self.log.read_text(errors="replace")[-4000:]

    def folder(self) -> Path:
        found = FOLDER.search(self.log.read_text(errors="replace"))
        assert found, self.output()
        return Path(found.group(1))

    def pids_with_samples(self) -> set[int]:
        return {int(m.group(1)) for f in self.folder().iterdir()
                if (m := SAMPLE.search(f.name))}

    def requests_counted(self, route: str, method: str, status: str) -> float:
        r = requests.get(self.url + "/metrics", timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text
        for family in text_string_to_metric_families(r.text):
            for s in family.samples:
                if s.name == "interview_calendar_http_requests_total" and s.labels == {
                        "route": route, "method": method, "status": status}:
                    return s.value
        return 0.0

    def stop(self) -> None:
        """A graceful stop of granian's main process, which cleans up the metrics folder."""
        stop_group(self.proc, grace=30, leader_only=True)


@pytest.fixture
def server(calendar: Calendar, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    key = "ic_" + secrets.token_urlsafe(32)
    env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(tmp_path),
           "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1", "DATABASE_URL": calendar.url,
           "BROKER_URL": REDIS_URL, "ADMIN_API_KEY": key, "WEB_CONCURRENCY": str(WORKERS),
           "WEB_THREADS": "2", "TMPDIR": str(tmp_path)}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(CLI), "serve", "--port", str(port)], cwd=tmp_path, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    running = Server(proc, f"http://127.0.0.1:{port}", key, log)
    try:
        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}\n{running.output()}")
            with contextlib.suppress(requests.ConnectionError):
                return requests.get(running.url + "/readyz", timeout=HTTP_TIMEOUT).ok
            return False

        wait_until(ready, START_TIMEOUT, "serve ready", running.output)
        yield running
    finally:
        running.stop()


def test_metrics_add_up_every_worker_process(server: Server) -> None:
    sent = 0

    def healthz(_: int) -> int:
        return requests.get(server.url + "/healthz", timeout=HTTP_TIMEOUT).status_code

    def both_workers_answered() -> bool:
        nonlocal sent
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(healthz, range(16))) == {200}
        sent += 16
        return len(server.pids_with_samples()) >= WORKERS

    wait_until(both_workers_answered, 20, "requests reaching both workers", server.output)
    r = requests.post(server.url + "/v1/people", timeout=HTTP_TIMEOUT,
                      headers={"Authorization": f"Bearer {server.key}"},
                      json={"name": "Ada", "email": "ada@example.com", "role": "interviewer"})
    assert r.status_code == 201, r.text
    for _ in range(6):  # whichever worker answers the scrape
        assert server.requests_counted("/healthz", "GET", "200") == sent
        assert server.requests_counted("/v1/people", "POST", "201") == 1

    # a worker that leaves (gracefully, through the code that started it) is replaced, and
    # neither its counts nor the folder go with it
    old = set(children_of(server.proc.pid))
    assert len(old) == WORKERS
    os.kill(next(iter(old)), signal.SIGTERM)
    wait_until(lambda: len(set(children_of(server.proc.pid)) - old) == 1, 20,
               "granian replacing the worker", server.output)
    for _ in range(4):
        assert server.requests_counted("/healthz", "GET", "200") == sent

    folder = server.folder()
    server.stop()
    assert server.proc.returncode == 0, server.output()
    assert not folder.exists()
