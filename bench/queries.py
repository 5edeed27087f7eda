"""Synchronous reads: the baseline endpoints, slot queries against hand-written SQL, and the
same slot queries once people have weekly hours and calendars against them on plain ranges."""

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

# The rule of "free" (workers/free_hours.py `_open`) for the hour row {h}: not booked, not busy.
OPEN = ("NOT EXISTS (SELECT 1 FROM interview_participants b "
        "WHERE b.person_id = {h}.person_id AND b.start = {h}.start) "
        "AND NOT EXISTS (SELECT 1 FROM busy_hours x "
        "WHERE x.person_id = {h}.person_id AND x.start = {h}.start)")
ALL_FREE = f"""
    SELECT h.start FROM availability_hours h
    WHERE h.person_id = ANY(%(people)s::uuid[]) AND h.start >= %(from)s AND h.start < %(to)s
      AND {OPEN.format(h="h")}
    GROUP BY h.start HAVING count(*) = cardinality(%(people)s::uuid[]) ORDER BY h.start"""
FREE_INTERVIEWERS = f"""
    SELECT i.start, array_agg(i.person_id::text ORDER BY i.person_id)
    FROM availability_hours c JOIN availability_hours i
      ON i.start = c.start AND i.role = 'interviewer' AND {OPEN.format(h="i")}
    WHERE c.person_id = %(candidate)s::uuid AND c.start >= %(from)s AND c.start < %(to)s
      AND {OPEN.format(h="c")}
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


def window(bench: Bench) -> dict[str, str]:
    """The main window, as the slot requests and the SQL take it."""
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


@dataclass(frozen=True)
class Requests:
    """Slot requests of one kind: who they name (dataset indexes), the calls, how many a
    latency run sends, and the parameters of the same answers in hand-written SQL."""

    people: list[int]
    calls: list[Call]
    n: int
    sql: str
    params: list[dict[str, object]]

    def latency(self, bench: Bench) -> Summary:
        """Milliseconds per call on one connection, the calls taken in turn."""
        return _latency(bench, (self.calls * (self.n // len(self.calls) + 1))[:self.n])

    def sql_latency(self, bench: Bench) -> Summary:
        return _sql_latency(bench, self.sql, self.params)


def named_requests(bench: Bench) -> Requests:
    """Fifty groups of a candidate and three interviewers, over the main window."""
    rng, data, ids = random.Random(bench.data.size.seed), bench.data, bench.ids
    groups = [[rng.choice(data.candidates), *rng.sample(data.interviewers, PANELS)]
              for _ in range(50)]
    calls = [Call("GET", "/v1/slots?" + urlencode(
        [("candidate", ids[g[0]]), *window(bench).items(),
         *(("interviewer", ids[i]) for i in g[1:])])) for g in groups]
    return Requests([i for g in groups for i in g], calls, data.size.requests, ALL_FREE,
                    [{"people": [ids[i] for i in g], **window(bench)} for g in groups])


def candidate_requests(bench: Bench) -> Requests:
    """Twenty candidates alone, over the main window."""
    rng, data, ids = random.Random(bench.data.size.seed + 1), bench.data, bench.ids
    candidates = [rng.choice(data.candidates) for _ in range(20)]
    calls = [Call("GET", "/v1/slots?" + urlencode({"candidate": ids[c], **window(bench)}))
             for c in candidates]
    return Requests(candidates, calls, max(20, data.size.requests // 5), FREE_INTERVIEWERS,
                    [{"candidate": ids[c], **window(bench)} for c in candidates])


def measure_named_slots(bench: Bench, endpoints: Endpoints) -> list[Row]:
    """A candidate and three interviewers over the four weeks."""
    named, size = named_requests(bench), bench.data.size
    rps = _repeat(bench, lambda: throughput(bench.stack.base_url, bench.key, named.calls,
                                            size.seconds), "req/s")
    latency, sql = named.latency(bench), named.sql_latency(bench)
    what = "slot query, candidate + 3 interviewers, 4 weeks, HTTP"
    return [
        Row(f"{what}: throughput", rps, "hello-world JSON endpoint", endpoints.hello_rps,
            True, 0.5),
        Row(f"{what}: single-connection p50", latency, "one-SELECT endpoint",
            endpoints.select_latency, False, 1.25,
            note=f"the same answer from one SQL query: {sql.render()}"),
    ]


def measure_candidate_slots(bench: Bench) -> list[Row]:
    """A candidate alone: every free interviewer at each of their free hours."""
    alone = candidate_requests(bench)
    latency, sql = alone.latency(bench), alone.sql_latency(bench)
    what = "slot query, candidate only (every free interviewer per hour)"
    return [
        Row(f"{what}: p50", latency, "one SQL query, interviewer-only partial index", sql,
            False, 1.5),
        Row(f"{what}: p99", latency, "one SQL query, interviewer-only partial index", sql,
            False, 1.5, figure="p99"),
    ]
