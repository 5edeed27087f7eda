"""The match under load caps and a panel requirement against the same match without them:
what coupling the hours (a day's and a week's interviews per interviewer) costs the solver."""

from __future__ import annotations

import json

from bench.client import Call, send_all
from bench.context import Bench
from bench.matching import run_matches
from bench.stats import Row, Summary

TAG = "lead"
DAY_CAP, WEEK_CAP = 4, 12
REQUIREMENTS = [{"tags": [TAG], "count": 1}]
BOUND = 3.0


def _set_caps(bench: Bench, on: bool) -> None:
    """Caps on every interviewer and the tag on every other one (through the API, as a
    coordinator would), or neither."""
    calls = [Call("PATCH", f"/v1/people/{bench.ids[i]}", json.dumps({
        "max_interviews_per_day": DAY_CAP if on else None,
        "max_interviews_per_week": WEEK_CAP if on else None,
        "tags": [TAG] if on and i % 2 == 0 else []}).encode(), "application/merge-patch+json")
        for i in bench.data.interviewers]
    send_all(bench.stack.base_url, bench.key, calls)


def _stats(bench: Bench, jobs: list[str]) -> list[dict[str, object]]:
    with bench.conn.cursor() as cursor:
        cursor.execute("SELECT result->'stats' FROM jobs WHERE id = ANY(%s::uuid[])", (jobs,))
        return [row[0] for row in cursor.fetchall()]


def measure_capped_match(bench: Bench) -> list[Row]:
    """Everyone over the main window: the plain match, then caps and the requirement on."""
    main, repeats = bench.data.main, bench.data.size.repeats
    plain = [run_matches(bench, [main])[0] for _ in range(repeats)]
    _set_caps(bench, on=True)
    try:
        runs = [run_matches(bench, [main], requirements=REQUIREMENTS) for _ in range(repeats)]
    finally:
        _set_caps(bench, on=False)
    stats = _stats(bench, [job for _, _, jobs in runs for job in jobs])
    optimal = all(s["optimal"] for s in stats)
    size = bench.data.size
    return [Row(
        f"match under caps ({DAY_CAP} a day, {WEEK_CAP} a week) and a requirement (one of "
        f"the half of interviewers tagged `{TAG}` on every panel), {size.candidates:,} × "
        f"{size.interviewers:,} × {len(main.hours())} hours, submit → succeeded",
        Summary.of([seconds for seconds, _, _ in runs], "s"), "the same match without them",
        Summary.of(plain, "s"), False, BOUND,
        note="; ".join(sorted({json.dumps(s, sort_keys=True) for s in stats}))
        + "; how time and proof grow with size: bench/solver_curve.png",
        holds=optimal)]
