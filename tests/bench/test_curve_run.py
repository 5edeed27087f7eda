"""`python -m bench --size curve` at two tiny sizes runs end to end: a row per size with every
metric positive, an exponent and a segment slope per metric, and the chart. Nothing about
speed (CI machines vary)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from bench.curve_report import METRICS
from tests.conftest import PG_ADMIN_URL, REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
# A Redis database of its own: other stacks' workers on the small run's would take its jobs.
BROKER_URL = REDIS_URL.rsplit("/", 1)[0] + "/15"


def _table(report: str, header: str) -> list[list[str]]:
    lines = report.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("| "):
            break
        rows.append([cell.strip() for cell in line.strip("| ").split(" | ")])
    return rows


def test_a_tiny_curve_reports_each_size_and_each_metrics_exponent(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "curve", "--interviewers", "10", "30",
         "--out", str(tmp_path), "--pg-admin-url", PG_ADMIN_URL,
         "--broker-url", BROKER_URL], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]

    report = (tmp_path / "curve.md").read_text()
    sizes = _table(report, "| interviewers |")
    assert [(row[0], row[1], row[2]) for row in sizes] == [("10", "50", "60"),
                                                            ("30", "150", "180")]
    for row in sizes:
        figures = [float(cell.replace(",", "")) for cell in row[3:]]
        assert len(figures) == 1 + len(METRICS), row
        assert all(math.isfinite(f) and f > 0 for f in figures), row

    fits = _table(report, "| metric | exponent |")
    assert [row[0] for row in fits] == [m.name for m in METRICS]
    for name, k, slope in fits:
        if k != "—":  # a memory increment may be nil at tiny sizes
            assert math.isfinite(float(k)) and float(k) == float(slope), name
    assert (tmp_path / "curve.png").read_bytes().startswith(PNG)
    assert "curve.png" in report


def test_a_curve_needs_two_different_sizes() -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--size", "curve", "--interviewers",
                          "40", "40"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "--interviewers: two different sizes or more" in run.stderr
