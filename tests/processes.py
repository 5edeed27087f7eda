"""Processes the tests start: wait until they serve, and stop their whole process group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

import pytest
import requests


def free_port() -> int:
    """A local port on which nothing listens now: free to serve on, refused to connect to."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_ready(proc: subprocess.Popen[bytes], url: str, logs: Callable[[], str],
                     timeout: float, pause: float = 0.1) -> None:
    """Poll `url` + /readyz until it answers 200; fail with the logs if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args!r} exited with {proc.returncode}\n{logs()}")
        try:
            if requests.get(url + "/readyz", timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(pause)
    pytest.fail(f"{url}/readyz did not answer 200 within {timeout} s\n{logs()}")


def stop_group(proc: subprocess.Popen[bytes], grace: float, *, leader_only: bool = False) -> None:
    """SIGTERM (to the group, or to its leader for a graceful master), then SIGKILL the group
    once `grace` seconds have passed, so that no child outlives the test."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            if leader_only:
                os.kill(proc.pid, signal.SIGTERM)
            else:
                os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=10)
