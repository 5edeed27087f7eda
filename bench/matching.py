"""Matches: the full match against its physical floor (load + solve + write), contended
instances against the greedy assignment and the optimum, and scale-out over worker processes."""

from __future__ import annotations

import io
import time
import uuid
from typing import Any

from bench.client import send_all
from bench.context import Bench, post
from bench.dataset import Window
from bench.db import job_phases, wait_for_jobs
from bench.flows import Graph, greedy, maximum, min_cost
from bench.queries import OPEN
from bench.stats import Row, Summary
from scheduling.hours import HOUR
from workers.resources import z


def graph(bench: Bench, name: str) -> Graph:
    """The match of everyone over window `name`, from the dataset itself."""
    window: Window = getattr(bench.data, name)
    index = {hour: h for h, hour in enumerate(window.hours())}
    free = bench.data.free[name]
    counts = [0] * len(index)
    for i in bench.data.interviewers:
        for r in free[i]:
            for hour in r.starts():
                counts[index[hour]] += 1
    return Graph(counts, [[index[hour] for r in free[c] for hour in r.starts()]
                          for c in bench.data.candidates])


def run_matches(bench: Bench, windows: list[Window],
                **extra: Any) -> tuple[float, list[int], list[str]]:
    """Submit one match per window at once (with `extra` in each body); seconds until all
    succeeded, their counts and their job ids."""
    calls = [post("/v1/matches", {"from": z(w.start), "to": z(w.end), **extra})
             for w in windows]
    began = time.perf_counter()
    ids = [job["id"] for job in send_all(bench.stack.base_url, bench.key, calls)]
    done = wait_for_jobs(bench.conn, ids, pause=0.005)
    with bench.conn.cursor() as cursor:
        cursor.execute("SELECT (result->'stats'->>'scheduled')::int FROM jobs "
                       "WHERE id = ANY(%s::uuid[])", (ids,))
        return done - began, [row[0] for row in cursor.fetchall()], ids


def _floor(bench: Bench, g: Graph) -> float:
    """Binary COPY of the free hours + the min-cost flow + COPY of the result's rows."""
    window = bench.data.main
    with bench.conn.cursor() as cursor:
        load = cursor.mogrify(
            f"COPY (SELECT h.person_id, h.start FROM availability_hours h WHERE h.start >= %s "
            f"AND h.start < %s AND {OPEN.format(h='h')}) TO STDOUT (FORMAT binary)",
            (window.start, window.end)).decode()
        began = time.perf_counter()
        cursor.copy_expert(load, io.BytesIO())
        loaded = time.perf_counter()
        per_hour = min_cost(g)
        solved = time.perf_counter()
        hours = window.hours()
        lines = "".join(f"{uuid.uuid4()}\t{uuid.uuid4()}\t{hours[h].isoformat()}\n"
                        for h, k in enumerate(per_hour) if k
                        for _ in range(k + g.free_interviewers[h]))
        cursor.execute("CREATE TEMPORARY TABLE bench_result "
                       "(interview_id uuid, person_id uuid, start timestamptz)")
        written = time.perf_counter()
        cursor.copy_expert("COPY bench_result FROM STDIN", io.StringIO(lines))
        done = time.perf_counter()
        cursor.execute("DROP TABLE bench_result")
    return (loaded - began) + (solved - loaded) + (done - written)


def measure_match(bench: Bench) -> Row:
    """Everyone over the main window; the count must be the maximum flow."""
    g = graph(bench, "main")
    optimum = maximum(g)
    times, floors, counts, ids = [], [], [], []
    for _ in range(bench.data.size.repeats):
        seconds, [scheduled], [job] = run_matches(bench, [bench.data.main])
        times.append(seconds)
        counts.append(scheduled)
        ids.append(job)
        floors.append(_floor(bench, g))
    ours, floor = Summary.of(times, "s"), Summary.of(floors, "s")
    size = bench.data.size
    return Row(f"match, {size.candidates:,} candidates × {size.interviewers:,} interviewers × "
               f"{len(bench.data.main.hours())} hours, submit → succeeded", ours,
               "binary COPY load + OR-Tools min-cost flow + COPY of the result", floor,
               False, 2.0,
               note=f"scheduled {sorted(set(counts))}, maximum flow {optimum}; "
                    f"{job_phases(bench.conn, ids)}",
               holds=all(c == optimum for c in counts))


def measure_contended(bench: Bench) -> Row:
    """The tight window, where capacity binds: ours against greedy and the optimum."""
    g = graph(bench, "tight")
    optimum, simple = maximum(g), greedy(g)
    seconds, [scheduled], _ = run_matches(bench, [bench.data.tight])
    ours = Summary.of([scheduled], "candidates")
    best = Summary.of([optimum], "candidates")
    return Row("match on a contended instance (≈ 4 % free: capacity binds)", ours,
               "the optimum (maximum flow)", best, True, 1.0,
               note=f"greedy earliest-first schedules {simple:,} "
                    f"({(optimum - simple) / optimum:.1%} fewer than the optimum); "
                    f"our match took {seconds:.2f} s")


def measure_scale_out(bench: Bench) -> Row:
    """The same batch of one-week matches on 1 worker process, then on 2."""
    main, size = bench.data.main, bench.data.size
    weeks = [Window(main.days[k], main.days[min(k + 4, len(main.days) - 1)] + 8 * HOUR, ())
             for k in range(0, len(main.days), 5)]
    batch = [weeks[i % len(weeks)] for i in range(size.scale_jobs)]
    one, two = [], []
    try:
        for _ in range(size.repeats):
            bench.stack.restart_workers(1)
            one.append(run_matches(bench, batch)[0])
            bench.stack.restart_workers(2)
            two.append(run_matches(bench, batch)[0])
    finally:
        if "worker" not in bench.stack.processes:
            bench.stack.start_workers(2)
    speed1 = Summary.of([len(batch) / s for s in one], "jobs/s")
    speed2 = Summary.of([len(batch) / s for s in two], "jobs/s")
    return Row(f"scale-out: {len(batch)} one-week match jobs on 2 worker processes", speed2,
               "the same batch on 1 worker process", speed1, True, 1.5)
