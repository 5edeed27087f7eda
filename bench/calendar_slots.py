"""The slot queries once people offer weekly hours and have a calendar feed, against the same
requests on the plain ranges they had before: what weekly hours and busy time cost a read."""

from __future__ import annotations

from bench.calendars import MEETINGS_A_WEEK
from bench.context import Bench
from bench.db import wait_until_idle
from bench.loading import load_calendars
from bench.queries import OPEN, Requests, candidate_requests, named_requests, window
from bench.stats import Row, Summary

HOURS = f"""
    SELECT count(*), count(*) FILTER (WHERE {OPEN.format(h="h")}) FROM availability_hours h
    WHERE h.person_id = ANY(%(people)s::uuid[]) AND h.start >= %(from)s AND h.start < %(to)s"""
BOUND = 1.5


def _hours(bench: Bench, people: list[int]) -> tuple[int, int]:
    """Offered and free hours of `people` in the main window."""
    with bench.conn.cursor() as cursor:
        cursor.execute(HOURS, {"people": [bench.ids[p] for p in people], **window(bench)})
        offered, free = cursor.fetchone()
    return int(offered), int(free)


def _figures(bench: Bench, kinds: list[Requests]) -> list[tuple[Summary, Summary]]:
    """Each kind's HTTP latency and its hand-written SQL's."""
    return [(kind.latency(bench), kind.sql_latency(bench)) for kind in kinds]


def measure_calendar_slots(bench: Bench) -> list[Row]:
    """p50 of the named and the candidate-only slot requests on plain ranges; then every
    interviewer, and each candidate those requests name, gets weekly hours and an uploaded
    calendar; then the same requests again (after ANALYZE, as autovacuum would)."""
    kinds = [named_requests(bench), candidate_requests(bench)]
    people = sorted({*bench.data.interviewers, *(p for kind in kinds for p in kind.people)})
    plain, hours_before = _figures(bench, kinds), _hours(bench, people)
    seconds = load_calendars(bench, people)
    wait_until_idle(bench.conn)
    with bench.conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE availability_hours, busy_hours")
    loaded, hours_after = _figures(bench, kinds), _hours(bench, people)
    load = (f"{len(people):,} people given weekly hours and a calendar of {MEETINGS_A_WEEK} "
            f"meetings a week in {seconds:.0f} s; their offered hours in the main window "
            f"{hours_before[0]:,} → {hours_after[0]:,}, free {hours_before[1]:,} → "
            f"{hours_after[1]:,}")
    rows = []
    for what, (ours, ours_sql), (base, base_sql) in zip(
            ("candidate + 3 interviewers", "candidate only"), loaded, plain, strict=True):
        rows.append(Row(
            f"slot query on weekly hours + calendar feeds, {what}: p50", ours,
            "the same requests on plain ranges, before", base, False, BOUND,
            note=f"{load}; the same answers in one SQL query: {base_sql.render()} on plain "
                 f"ranges, {ours_sql.render()} after"))
    return rows
