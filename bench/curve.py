"""The `--size curve` run: how each cost grows with size. At every size a fresh stack and
dataset loaded through the API, then the named and candidate-only slot p50, the match of
everyone over the main window, the bulk import rate, and the peak memory of the worker that
ran the match."""

from __future__ import annotations

import logging
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import loading, matching, queries
from bench.context import Bench
from bench.curve_report import Point, write
from bench.dataset import Dataset, generate
from bench.db import connect
from bench.sizes import Size
from bench.stack import Stack, production_stack
from scheduling.hours import HOUR

log = logging.getLogger("bench")
KIB = 1024


def _descendants(pid: int) -> list[int]:
    """The processes under `pid` (Linux /proc), depth first."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _hwm_mib(pid: int) -> float:
    """The process's resident-set high-water mark (VmHWM), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KIB
    raise RuntimeError(f"no VmHWM for process {pid}")


def worker_peaks(stack: Stack) -> list[float]:
    """VmHWM of each pool process of the Celery worker (the processes that run jobs)."""
    return [_hwm_mib(pid) for pid in _descendants(stack.processes["worker"].pid)]


def _match(bench: Bench) -> tuple[list[float], float, float]:
    """The match of everyone over the main window, `repeats` times on fresh pool processes;
    its seconds, the pool's VmHWM before and after (MiB)."""
    bench.stack.restart_workers(2)  # the import ran in the pool: its peak is not the match's
    idle = max(worker_peaks(bench.stack))
    times = [matching.run_matches(bench, [bench.data.main])[0]
             for _ in range(bench.data.size.repeats)]
    return times, idle, max(worker_peaks(bench.stack))


def _hours(data: Dataset, window: str) -> int:
    return sum((r.end - r.start) // HOUR for ranges in data.free[window] for r in ranges)


def measure(size: Size, pg_admin_url: str, broker_url: str) -> Point:
    """A fresh stack and database, the dataset of `size` loaded through the API, measured."""
    data = generate(size, datetime.now(UTC))
    began = time.perf_counter()
    with production_stack(pg_admin_url, broker_url) as stack:
        conn = connect(stack.database_url)
        try:
            bench = Bench(stack, data, conn)
            loading.create_people(bench)
            imported = loading.measure_import(bench)
            named = queries.named_requests(bench).latency(bench)
            alone = queries.candidate_requests(bench).latency(bench)
            times, idle, peak = _match(bench)
        finally:
            conn.close()
    log.info("%s interviewers: %.0f s", f"{size.interviewers:,}", time.perf_counter() - began)
    return Point(size, _hours(data, "main"),
                 imported.what, named.median, alone.median, statistics.median(times),
                 imported.ours.median, imported.baseline.median, peak, idle)


def run(sizes: list[Size], out: Path, pg_admin_url: str, broker_url: str,
        charted: bool = True) -> Path:
    """Every size in turn, smallest first; the report (curve.md, and curve.png when
    `charted`) is written again after each size from the second on, so a run stopped early
    leaves the sizes it finished."""
    if len(sizes) < 2:
        raise ValueError("a curve needs two sizes or more")
    began, load = time.perf_counter(), os.getloadavg()[0]
    points: list[Point] = []
    for size in sizes:
        points.append(measure(size, pg_admin_url, broker_url))
        if len(points) > 1:
            report = write(points, out, time.perf_counter() - began, load, charted)
    return report
