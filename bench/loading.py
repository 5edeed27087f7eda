"""Loading the dataset through the API: people one request each, availability in one bulk
import, timed against a raw COPY of the same rows into the same indexed table; and, for the
calendar measurement, weekly hours and uploaded calendars."""

from __future__ import annotations

import io
import json
import time

from bench import calendars
from bench.client import Call, Client, send_all
from bench.context import Bench, post, ranges_body
from bench.db import wait_for_jobs
from bench.stats import Row, Summary


def create_people(bench: Bench) -> None:
    """POST /v1/people for everyone; keeps their ids."""
    data = bench.data
    calls = [post("/v1/people", {"name": f"Bench {role} {i}", "email": data.email(i),
                                 "role": role}) for i, role in enumerate(data.roles)]
    bench.ids = [person["id"] for person in send_all(bench.stack.base_url, bench.key, calls)]


def _import_body(bench: Bench) -> bytes:
    free = bench.data.free
    entries = [{"person": ident, "ranges": ranges_body(free["main"][i] + free["tight"][i])}
               for i, ident in enumerate(bench.ids) if free["main"][i] or free["tight"][i]]
    return json.dumps({"entries": entries}).encode()


def _copy_lines(bench: Bench) -> str:
    free, roles = bench.data.free, bench.data.roles
    return "".join(f"{ident}\t{hour.isoformat()}\t{roles[i]}\n"
                   for i, ident in enumerate(bench.ids)
                   for window in ("main", "tight") for r in free[window][i] for hour in r.starts())


def measure_import(bench: Bench) -> Row:
    """Rows per second, HTTP submit → job succeeded, against a raw COPY of the same rows into
    the same table (its indexes and its foreign key); leaves the data loaded."""
    body, lines = _import_body(bench), _copy_lines(bench)
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
            job_id = client.submit(Call("POST", "/v1/availability/imports", body))
            done = wait_for_jobs(bench.conn, [job_id], pause=0.01)
            ours.append(rows / (done - began))
        cursor.execute("VACUUM ANALYZE availability_hours")
    mine, base = Summary.of(ours, "rows/s"), Summary.of(raw, "rows/s")
    return Row(f"bulk import, {rows:,} hours, HTTP submit → job succeeded", mine,
               "raw COPY into the same table (indexes, foreign key)", base, True, 0.3)


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
