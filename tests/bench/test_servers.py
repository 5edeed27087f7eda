"""`python -m bench.servers` on a tiny dataset, for one server the production stack does not
start (gunicorn's threads, on `api.wsgi:create()`), reports positive throughputs, and /healthz
timed under slow clients. Nothing about speed (CI machines vary); one server only, and fewer slow
clients than either of its processes has threads (4), so that no probe waits out its 8 s."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_ADMIN_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of its own: other stacks' workers would take its jobs.
BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/9"


def test_a_tiny_run_reports_the_server_with_throughput_and_healthz_under_slow_clients(
        ) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.servers", "--servers", "gunicorn-gthread",
         "--interviewers", "6", "--candidates", "30", "--seconds", "0.3", "--repeats", "1",
         "--slow", "3", "--pg-admin-url", PG_ADMIN_URL, "--broker-url", BROKER_URL],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]

    rows = [[cell.strip() for cell in line.strip("| ").split(" | ")]
            for line in run.stdout.splitlines()[2:] if line.startswith("| ")]
    assert [row[0] for row in rows] == ["gunicorn-gthread"]
    for server, hello, slot, ratio, enqueue, median, _max, held, failures in rows:
        assert min(float(rate.replace(",", "")) for rate in (hello, slot, enqueue)) > 0, server
        assert float(ratio) > 0, server
        # Whether /healthz was answered is the measurement (threads starve), not a property.
        assert median.endswith(" s") and held == "3" and failures.isdigit(), rows


def test_servers_names_only_servers_it_knows() -> None:
    run = subprocess.run([sys.executable, "-m", "bench.servers", "--servers", "granian,nope"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "--servers: unknown nope" in run.stderr
