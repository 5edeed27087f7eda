"""The benchmark's processes die with it: a run killed outright leaves no server or worker
behind to take the next run's jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from bench.stack import Stack
    stack = Stack("", "", "", "", dict(os.environ), Path(sys.argv[1]))
    stack.start("sleeper", "sleep", "120")
    print(stack.processes["sleeper"].pid, flush=True)
    time.sleep(120)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie awaiting its reaper is gone too
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_process_started_by_the_stack_dies_when_the_benchmark_is_killed(
        tmp_path: Path) -> None:
    bench = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    assert bench.stdout is not None
    pid = int(bench.stdout.readline())
    try:
        assert _alive(pid)
        bench.send_signal(signal.SIGKILL)
        bench.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid)
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
