"""Loading the dataset through the API: people one request each, availability in one bulk
import, timed against a raw COPY of the same rows into the same indexed table; and, for the
calendar measurement, weekly hours and uploaded calendars."""

from __future__ import annotations

import io
import json
import time

from api.schemas import MAX_IMPORT_ENTRIES, MAX_IMPORT_HOURS
from bench import calendars
from bench.client import Call, Client, send_all
from bench.context import Bench, post, ranges_body
from bench.db import wait_for_jobs
from bench.stats import Row, Summary
from scheduling.hours import HOUR
from workers.settings import Settings

# A request's body may be at most this (the server's bound, with room for the envelope).
IMPORT_BYTES = Settings.max_body_bytes - 1024


def create_people(bench: Bench) -> None:
    """POST /v1/people for everyone; keeps their ids."""
    data = bench.data
    calls = [post("/v1/people", {"name": f"Bench {role} {i}", "email": data.email(i),
                                 "role": role}) for i, role in enumerate(data.roles)]
    bench.ids = [person["id"] for person in send_all(bench.stack.base_url, bench.key, calls)]


def _import_bodies(bench: Bench) -> list[bytes]:
    """Both windows' ranges of everyone, in as few imports as the service's bounds allow
    (hours, entries and bytes of one request): one up to the `full` size, more above."""
    free, chunks = bench.data.free, [list[str]()]
    hours = size = 0
    for i, ident in enumerate(bench.ids):
        ranges = free["main"][i] + free["tight"][i]
        if not ranges:
            continue
        entry = json.dumps({"person": ident, "ranges": ranges_body(ranges)})
        n = sum((r.end - r.start) // HOUR for r in ranges)
        if chunks[-1] and (hours + n > MAX_IMPORT_HOURS or len(chunks[-1]) == MAX_IMPORT_ENTRIES
                           or size + len(entry) > IMPORT_BYTES):
            chunks.append([])
            hours = size = 0
        chunks[-1].append(entry)
        hours, size = hours + n, size + len(entry) + 2
    return [f'{{"entries": [{", ".join(c)}]}}'.encode() for c in chunks]


def _copy_lines(bench: Bench) -> str:
    free, roles = bench.data.free, bench.data.roles
    return "".join(f"{ident}\t{hour.isoformat()}\t{roles[i]}\n"
                   for i, ident in enumerate(bench.ids)
                   for window in ("main", "tight") for r in free[window][i] for hour in r.starts())


def measure_import(bench: Bench) -> Row:
    """Rows per second, HTTP submit → (last) job succeeded, against a raw COPY of the same rows into
    the same table (its indexes and its foreign key); leaves the data loaded."""
    bodies, lines = _import_bodies(bench), _copy_lines(bench)
    rows = lines.count("\n")
    client = Client(bench.stack.base_url, bench.key)
    ours, raw = [], []
    with bench.conn.cursor() as cursor:
        for _ in range(bench.data.size.repeats):
            cursor.execute("TRUNCATE availability_hours CASCADE")
            began = time.perf_counter()
            cursor.copy_expert("COPY availability_hours (person_id, start, role) FROM STDIN",
                               io.StringIO(lines))
            raw.append(rows / (time.perf_counter() - began))

            cursor.execute("TRUNCATE availability_hours CASCADE")
            began = time.perf_counter()
            for body in bodies:  # in turn, as one import would run
                job_id = client.submit(Call("POST", "/v1/availability/imports", body))
                done = wait_for_jobs(bench.conn, [job_id], pause=0.01)
            ours.append(rows / (done - began))
        cursor.execute("VACUUM ANALYZE availability_hours")
    mine, base = Summary.of(ours, "rows/s"), Summary.of(raw, "rows/s")
    split = f" in {len(bodies)} imports (the service's bounds)" if len(bodies) > 1 else ""
    return Row(f"bulk import, {rows:,} hours{split}, HTTP submit → job succeeded", mine,
               "raw COPY into the same table (indexes, foreign key)", base, True, 0.6)


def load_calendars(bench: Bench, people: list[int]) -> float:
    """Give each of `people` (dataset indexes) weekly hours and one uploaded calendar, through
    the API over several connections, and wait for the calendars' reads; the seconds it took."""
    drawn = calendars.generate(bench.data, people)
    began = time.perf_counter()
    uploads = send_all(bench.stack.base_url, bench.key, [
        Call("POST", f"/v1/people/{bench.ids[p]}/calendars",
             calendars.ics(drawn[p], bench.ids[p], bench.data.main), "text/calendar")
        for p in people])
    send_all(bench.stack.base_url, bench.key, [
        Call("PUT", f"/v1/people/{bench.ids[p]}/weekly-hours",
             json.dumps(calendars.weekly_body(drawn[p])).encode()) for p in people])
    done = wait_for_jobs(bench.conn, [job["id"] for job in uploads], pause=0.05)
    return done - began
