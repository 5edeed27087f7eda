"""The production stack on loopback: a database of its own, granian (2 workers), Celery
workers on Redis, and a no-op Celery worker for the raw round trip; all stopped at the end."""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench import noop
from models.migrate import scratch_database

CLI = Path(sys.executable).with_name("interview-calendar")
START_TIMEOUT = 60.0
PR_SET_PDEATHSIG = 1  # prctl(2), Linux


@dataclass
class Stack:
    database_url: str
    broker_url: str
    base_url: str
    admin_key: str
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(args, env=self.env, stdout=log, stderr=log,
                                                    start_new_session=True,
                                                    preexec_fn=_die_with_parent)

    def stop(self, name: str) -> None:
        proc = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def start_workers(self, processes: int) -> None:
        """`interview-calendar worker` with `processes` pool processes; waits until it answers."""
        self.start("worker", str(CLI), "worker", "--",
                   f"--concurrency={processes}", f"--hostname=bench-worker-{processes}@%h")
        self.wait_for_celery(f"bench-worker-{processes}@")

    def restart_workers(self, processes: int) -> None:
        self.stop("worker")
        self.start_workers(processes)

    def wait_for_celery(self, prefix: str) -> None:
        app = noop.make_app(self.broker_url)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            if any(name.startswith(prefix) for reply in app.control.ping(timeout=0.5)
                   for name in reply):
                return
        raise RuntimeError(f"no Celery worker {prefix}… within {START_TIMEOUT} s; see {self.logs}")

    def _check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.logs}")


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the benchmark dies, even by SIGKILL. A server or
    worker left behind by a killed run would take the jobs of the next run on the same Redis."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def production_stack(admin_url: str, broker_url: str, workers: int = 2) -> Iterator[Stack]:
    """Everything the run measures, started in order and stopped whatever happens."""
    port = free_port()
    logs = tempfile.mkdtemp(prefix="ic-bench-logs-")
    with scratch_database(admin_url, "ic_bench") as database_url:
        admin_key = "ic_" + secrets.token_urlsafe(32)
        env = {**os.environ, "DATABASE_URL": database_url, "BROKER_URL": broker_url,
               "ADMIN_API_KEY": admin_key, "BENCH_ENDPOINTS": "1", "WEB_CONCURRENCY": "2",
               "WEB_THREADS": "4", "RATE_LIMIT_WRITES": "1000000/second",
               "RATE_LIMIT_MATCHES": "1000000/second", "RATE_LIMIT_READS": "1000000/second",
               "MATCH_MAX_CELLS": str(10**12),
               "CALENDAR_TZ": "UTC",  # the dataset's hours and templates are UTC hours
               "BENCH_BROKER_URL": broker_url}
        stack = Stack(database_url, broker_url, f"http://127.0.0.1:{port}", admin_key, env,
                      Path(logs))
        try:
            stack.start("web", str(CLI), "serve", "--port", str(port))
            stack.start("noop", sys.executable, "-m", "celery", "-A", "bench.noop", "worker",
                        "--pool=solo", f"--queues={noop.QUEUE}", "--loglevel=WARNING",
                        "--hostname=bench-noop@%h")
            stack.start_workers(workers)
            stack.wait_for_celery("bench-noop@")
            wait_until_ready(stack, stack.base_url)
            yield stack
        finally:
            for name in list(stack.processes):
                stack.stop(name)
    shutil.rmtree(logs)  # only after a run that did not fail: then they explain why


def wait_until_ready(stack: Stack, base_url: str) -> None:
    """Until the server at `base_url` answers /readyz with 200 (and the stack's processes live)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        stack._check_alive()
        with contextlib.suppress(requests.RequestException):
            if requests.get(base_url + "/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{base_url}/readyz did not answer 200; see {stack.logs}")
