"""`python -m bench --size small` runs end to end and reports every target with a sane ratio.

It asserts nothing about speed (CI machines vary): only that every measurement ran, each ratio
is a finite positive number, and the chart was drawn.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_ADMIN_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
ROWS = (
    "bulk import",
    "slot query, candidate + 3 interviewers, 4 weeks, HTTP: throughput",
    "slot query, candidate + 3 interviewers, 4 weeks, HTTP: single-connection p50",
    "slot query, candidate only (every free interviewer per hour): p50",
    "slot query, candidate only (every free interviewer per hour): p99",
    "match, ",
    "match on a contended instance",
    "tiny job round trip",
    "availability writes",
    "enqueue endpoint throughput",
    "scale-out",
    "match under caps",
    "slot query on weekly hours + calendar feeds, candidate + 3 interviewers: p50",
    "slot query on weekly hours + calendar feeds, candidate only: p50",
)
PNG = b"\x89PNG\r\n\x1a\n"


def test_a_small_run_reports_every_target_with_a_finite_positive_ratio(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "small", "--out", str(tmp_path),
         "--pg-admin-url", PG_ADMIN_URL, "--broker-url", REDIS_URL.rsplit("/", 1)[0] + "/13"],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]

    report = (tmp_path / "report.md").read_text()
    table = [line for line in report.splitlines() if line.startswith("| ") and
             not line.startswith(("| measurement", "| ---"))]
    for name in ROWS:
        [row] = [line for line in table if line.startswith(f"| {name}")]
        ratio = float(row.split(" | ")[4])
        assert math.isfinite(ratio) and ratio > 0, row
    assert len(table) == len(ROWS)
    assert re.search(rf"\*\*\d+ of {len(ROWS)} targets met\.\*\*", report)
    assert (tmp_path / "ratios.png").read_bytes().startswith(PNG)


def test_only_names_measurements_it_knows() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--only", "tiny-job,nope"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "--only: unknown nope" in run.stderr


def test_without_matplotlib_the_run_says_so_first_and_reports_without_a_chart(
        tmp_path: Path) -> None:
    hide = ("import sys; sys.modules['matplotlib'] = None; from bench.run import main; "
            "main(sys.argv[1:])")
    run = subprocess.run(
        [sys.executable, "-c", hide, "--size", "small", "--only", "tiny-job", "--no-profiles",
         "--out", str(tmp_path), "--pg-admin-url", PG_ADMIN_URL,
         "--broker-url", REDIS_URL.rsplit("/", 1)[0] + "/13"],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    assert "matplotlib is not installed" in run.stderr.splitlines()[0], run.stderr[:2000]
    assert "(matplotlib is not installed" in (tmp_path / "report.md").read_text()
    assert not (tmp_path / "ratios.png").exists()
