"""Synchronous reads: the baseline endpoints, and slot queries against hand-written SQL."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.client import Call, latencies, throughput
from bench.context import Bench
from bench.stats import Row, Summary
from workers.resources import z

NOT_BOOKED = ("NOT EXISTS (SELECT 1 FROM interview_participants b "
              "WHERE b.person_id = {h}.person_id AND b.start = {h}.start)")
ALL_FREE = f"""
    SELECT h.start FROM availability_hours h
    WHERE h.person_id = ANY(%(people)s::uuid[]) AND h.start >= %(from)s AND h.start < %(to)s
      AND {NOT_BOOKED.format(h="h")}
    GROUP BY h.start HAVING count(*) = cardinality(%(people)s::uuid[]) ORDER BY h.start"""
FREE_INTERVIEWERS = f"""
    SELECT i.start, array_agg(i.person_id::text ORDER BY i.person_id)
    FROM availability_hours c JOIN availability_hours i
      ON i.start = c.start AND i.role = 'interviewer' AND {NOT_BOOKED.format(h="i")}
    WHERE c.person_id = %(candidate)s::uuid AND c.start >= %(from)s AND c.start < %(to)s
      AND {NOT_BOOKED.format(h="c")}
    GROUP BY i.start ORDER BY i.start"""
PANELS = 3


@dataclass(frozen=True)
class Endpoints:
    """The web stack's own figures: the least any request of ours can cost."""

    hello_rps: Summary
    select_rps: Summary
    select_latency: Summary


def _repeat(bench: Bench, measure: Callable[[], float], unit: str) -> Summary:
    return Summary.of([measure() for _ in range(bench.data.size.repeats)], unit)


def _latency(bench: Bench, calls: list[Call]) -> Summary:
    samples = []
    for _ in range(bench.data.size.repeats):
        samples += latencies(bench.stack.base_url, bench.key, calls)
    return Summary.of([s * 1000 for s in samples], "ms")


def measure_endpoints(bench: Bench) -> Endpoints:
    size, url = bench.data.size, bench.stack.base_url
    hello, select = [Call("GET", "/bench/hello")], [Call("GET", "/bench/select")]
    return Endpoints(
        _repeat(bench, lambda: throughput(url, None, hello, size.seconds), "req/s"),
        _repeat(bench, lambda: throughput(url, None, select, size.seconds), "req/s"),
        _latency(bench, select * size.requests))


def _window(bench: Bench) -> dict[str, str]:
    return {"from": z(bench.data.main.start), "to": z(bench.data.main.end)}


def _sql_latency(bench: Bench, sql: str, params: list[dict[str, object]]) -> Summary:
    samples = []
    with bench.conn.cursor() as cursor:
        for _ in range(bench.data.size.repeats):
            for p in params:
                began = time.perf_counter()
                cursor.execute(sql, p)
                cursor.fetchall()
                samples.append((time.perf_counter() - began) * 1000)
    return Summary.of(samples, "ms")


def measure_named_slots(bench: Bench, endpoints: Endpoints) -> list[Row]:
    """A candidate and three interviewers over the four weeks."""
    rng, data = random.Random(bench.data.size.seed), bench.data
    groups = [[bench.ids[rng.choice(data.candidates)],
               *(bench.ids[i] for i in rng.sample(data.interviewers, PANELS))]
              for _ in range(50)]
    calls = [Call("GET", "/v1/slots?" + urlencode(
        [("candidate", g[0]), *_window(bench).items(), *(("interviewer", i) for i in g[1:])]))
        for g in groups]
    size = data.size
    rps = _repeat(bench, lambda: throughput(bench.stack.base_url, bench.key, calls,
                                            size.seconds), "req/s")
    latency = _latency(bench, (calls * (size.requests // len(calls) + 1))[:size.requests])
    sql = _sql_latency(bench, ALL_FREE, [{"people": g, **_window(bench)} for g in groups])
    what = "slot query, candidate + 3 interviewers, 4 weeks, HTTP"
    return [
        Row(f"{what}: throughput", rps, "hello-world JSON endpoint", endpoints.hello_rps,
            True, 0.5),
        Row(f"{what}: single-connection p50", latency, "one-SELECT endpoint",
            endpoints.select_latency, False, 2.0,
            note=f"the same answer from one SQL query: {sql.render()}"),
    ]


def measure_candidate_slots(bench: Bench) -> list[Row]:
    """A candidate alone: every free interviewer at each of their free hours."""
    rng, data = random.Random(bench.data.size.seed + 1), bench.data
    candidates = [bench.ids[rng.choice(data.candidates)] for _ in range(20)]
    calls = [Call("GET", "/v1/slots?" + urlencode({"candidate": c, **_window(bench)}))
             for c in candidates]
    n = max(20, data.size.requests // 5)
    latency = _latency(bench, (calls * (n // len(calls) + 1))[:n])
    sql = _sql_latency(bench, FREE_INTERVIEWERS,
                       [{"candidate": c, **_window(bench)} for c in candidates])
    what = "slot query, candidate only (every free interviewer per hour)"
    return [
        Row(f"{what}: p50", latency, "one SQL query, interviewer-only partial index", sql,
            False, 1.5),
        Row(f"{what}: p99", latency, "one SQL query, interviewer-only partial index", sql,
            False, 1.5, figure="p99"),
    ]
