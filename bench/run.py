"""The benchmark run: start the stack, load the dataset through the API, measure every target
against its baseline, write the report, and stop everything it started."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import TypeVar

from bench import curve, loading, matching, queries
from bench import jobs as queue
from bench.calendar_slots import measure_calendar_slots
from bench.capped_match import measure_capped_match
from bench.context import Bench
from bench.dataset import generate
from bench.db import connect
from bench.profiles import profiles
from bench.queries import Endpoints
from bench.report import NO_CHART, can_chart, write
from bench.sizes import CURVE, SIZES, curve_size
from bench.stack import production_stack
from bench.stats import Row

log = logging.getLogger("bench")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER_URL = "redis://127.0.0.1:6379/12"
T = TypeVar("T")


def _timed(name: str, action: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = action()
    log.info("%s: %.1f s", name, time.perf_counter() - began)
    return result


# Each measurement, in an order where each leaves what the next one needs; the two that
# compare with the baseline endpoints get them through `endpoints()`, measured once when first
# asked for. `calendars` comes last: the weekly hours and busy time it adds would change what
# the others read.
STEPS: dict[str, Callable[[Bench, Callable[[], Endpoints]], list[Row]]] = {
    "named-slots": lambda bench, endpoints: queries.measure_named_slots(bench, endpoints()),
    "candidate-slots": lambda bench, _: queries.measure_candidate_slots(bench),
    "match": lambda bench, _: [matching.measure_match(bench)],
    "contended": lambda bench, _: [matching.measure_contended(bench)],
    "tiny-job": lambda bench, _: [queue.measure_tiny_job(bench)],
    "writes": lambda bench, _: [queue.measure_writes(bench)],
    "enqueue": lambda bench, endpoints: [queue.measure_enqueue(bench, endpoints())],
    "scale-out": lambda bench, _: [matching.measure_scale_out(bench)],
    "capped-match": lambda bench, _: measure_capped_match(bench),
    "calendars": lambda bench, _: measure_calendar_slots(bench),
}
MEASUREMENTS = tuple(STEPS)


def measure(bench: Bench, only: frozenset[str] = frozenset(MEASUREMENTS)) -> list[Row]:
    """The measurements in `only` (the people and the import always run: every other
    measurement reads their rows)."""
    _timed("people", lambda: loading.create_people(bench))
    rows = [_timed("import", lambda: loading.measure_import(bench))]
    endpoints = cache(lambda: _timed("endpoints", lambda: queries.measure_endpoints(bench)))
    for name, step in STEPS.items():
        if name in only:
            rows += _timed(name, partial(step, bench, endpoints))
    return rows


def run(size_name: str, out: Path, pg_admin_url: str, broker_url: str,
        only: frozenset[str] = frozenset(MEASUREMENTS), profile: bool = True,
        charted: bool = True) -> Path:
    size = SIZES[size_name]
    began = time.perf_counter()
    data = generate(size, datetime.now(UTC))
    with production_stack(pg_admin_url, broker_url) as stack:
        conn = connect(stack.database_url)
        try:
            bench = Bench(stack, data, conn)
            rows = measure(bench, only)
            where = _timed("profiles", lambda: profiles(bench)) if profile else []
        finally:
            conn.close()
    return write(rows, out, size_name, time.perf_counter() - began, where, charted)


def main(argv: list[str] | None = None, prog: str = "python -m bench") -> None:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    parser.add_argument("--size", choices=[*SIZES, "curve"], default="small",
                        help="small: CI, about a minute; full: the report, under 15 minutes; "
                             "curve: how cost grows with size, about 15 minutes")
    parser.add_argument("--interviewers", type=int, nargs="+", default=CURVE, metavar="N",
                        help="with --size curve: interviewers at each size (candidates: 5×; "
                             f"default {' '.join(map(str, CURVE))})")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent,
                        help="folder of report.md and ratios.png, or curve.md and curve.png "
                             "(default: bench/)")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL,
                        help="PostgreSQL where the run creates (and drops) a database of its own")
    parser.add_argument("--broker-url", default=BROKER_URL,
                        help="Redis for the run's Celery workers (a database number of its own)")
    parser.add_argument("--only", type=lambda v: frozenset(v.split(",")),
                        default=frozenset(MEASUREMENTS), metavar="NAME,...",
                        help="measure only these (the import always runs): "
                             + ", ".join(MEASUREMENTS))
    parser.add_argument("--no-profiles", dest="profile", action="store_false",
                        help="skip the profiles of the hot paths at the end")
    args = parser.parse_args(argv)
    if args.only - set(MEASUREMENTS):
        parser.error(f"--only: unknown {', '.join(sorted(args.only - set(MEASUREMENTS)))}")
    if args.size == "curve" and (len(set(args.interviewers)) < 2 or min(args.interviewers) < 3):
        parser.error("--interviewers: two different sizes or more, each of 3 or more")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    charted = can_chart()  # checked now, not after a run of many minutes
    if not charted:
        logging.warning(NO_CHART)
    if args.size == "curve":
        report = curve.run([curve_size(n) for n in sorted(set(args.interviewers))], args.out,
                           args.pg_admin_url, args.broker_url, charted)
    else:
        report = run(args.size, args.out, args.pg_admin_url, args.broker_url, args.only,
                     args.profile, charted)
    print(report.read_text())
