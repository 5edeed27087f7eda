"""Attacks on the size of answers: a page stops at `limit` items or about 1 MiB of JSON, and the
server does not build a bigger answer before cutting it (issue 14, item 3)."""

from __future__ import annotations

import json
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.conftest import Api, book, hours_from_now, publish, span
from workers.queue.runtime import Runtime

MiB = 1 << 20
PAGE = 1.05 * MiB  # "about 1 MiB": the items' bound, the envelope and `next` around them
INTERVIEWERS = 1500
HOURS = 200


def pages(api: Api, path: str, name: str, **query: Any) -> Iterator[tuple[int, list[Any]]]:
    """Every page of a list, following `next`: each page's size in bytes and its items."""
    cursor = None
    while True:
        r = api.get(path, query_string={**query, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        yield len(r.data), r.json[name]
        cursor = r.json["next"]
        if cursor is None:
            return


def everyone_free(runtime: Runtime, role: str, n: int, hours: int) -> list[str]:
    """`n` people of `role`, each free for `hours` hours from the next full hour."""
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    ids = [uuid.uuid4() for _ in range(n)]
    with runtime.sessions.begin() as session:
        session.execute(text(
            "INSERT INTO people (id, name, email, email_key, role, created_at) "
            "SELECT id, 'Pat', id::text || '@example.com', id::text || '@example.com', :role, "
            "now() FROM unnest(CAST(:ids AS uuid[])) AS id"), {"ids": ids, "role": role})
        session.execute(text(
            "INSERT INTO availability_hours (person_id, start, role) "
            "SELECT id, :start + make_interval(hours => h), :role "
            "FROM unnest(CAST(:ids AS uuid[])) AS id, generate_series(0, :n - 1) AS h"),
            {"ids": ids, "role": role, "start": start, "n": hours})
    return sorted(str(i) for i in ids)


def peak_bytes(call: Callable[[], Any]) -> int:
    """The most memory Python held at once while `call` ran."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_candidate_only_slot_query_over_1500_free_interviewers_answers_pages_of_1_mib(
        admin: Api, runtime: Runtime, figures: Callable[[str], None]) -> None:
    [candidate] = everyone_free(runtime, "candidate", 1, HOURS)
    interviewers = everyone_free(runtime, "interviewer", INTERVIEWERS, HOURS)
    query = {"candidate": candidate, "from": hours_from_now(0), "to": hours_from_now(HOURS)}

    first = admin.get("/v1/slots", query_string={**query, "limit": 1000})
    assert first.status_code == 200
    assert len(first.data) <= PAGE, f"{len(first.data) / MiB:.1f} MiB in one answer"
    assert first.json["next"] and first.json["slots"]
    assert first.json["slots"][0]["interviewers"] == interviewers

    big = list(pages(admin, "/v1/slots", "slots", **query, limit=1000))
    small = [slot for _, found in pages(admin, "/v1/slots", "slots", **query, limit=7)
             for slot in found]
    assert all(size <= PAGE for size, _ in big)
    assert [slot for _, found in big for slot in found] == small
    assert [s["start"] for s in small] == [hours_from_now(h) for h in range(HOURS)]
    began = time.perf_counter()
    times = list(pages(admin, "/v1/slots", "slots", **query, limit=1000, view="times"))
    took = time.perf_counter() - began
    assert [s for _, found in times for s in found] == [
        {"start": s["start"], "end": s["end"]} for s in small]
    peak = peak_bytes(lambda: admin.get("/v1/slots", query_string={**query, "limit": 1000}))
    assert peak < 48 * MiB, f"{peak / MiB:.0f} MiB held to answer one page"
    figures(f"slots, candidate only, {INTERVIEWERS} free interviewers, limit=1000: "
            f"{len(first.data) / MiB:.2f} MiB per page ({len(big)} pages, "
            f"{len(first.json['slots'])} slots on the first), {peak / MiB:.0f} MiB peak; "
            f"view=times: {len(times)} page of {times[0][0] / 1024:.0f} KiB in {took:.2f} s")


def test_view_times_answers_the_hours_of_the_full_view_as_start_and_end_only(
        admin: Api) -> None:
    cand, other = admin.person("candidate"), admin.person("candidate")
    i1, i2 = admin.person("interviewer"), admin.person("interviewer")
    for person, first, last in ((cand, 0, 4), (other, 0, 4), (i1, 1, 4), (i2, 2, 5)):
        publish(admin, person, span(first, last))
    assert book(admin, other, [i1], 3).status_code == 201
    for query, hours in (({"candidate": cand["id"]}, [1, 2, 3]),
                         ({"candidate": cand["id"], "interviewer": i2["id"]}, [2, 3]),
                         ({"interviewer": i1["id"]}, [1, 2]),
                         ({"interviewer": i2["id"]}, [2, 3])):
        full = [s for _, found in pages(admin, "/v1/slots", "slots", **query, limit=2)
                for s in found]
        times = [s for _, found in pages(admin, "/v1/slots", "slots", **query, limit=2,
                                         view="times") for s in found]
        assert times == [{"start": s["start"], "end": s["end"]} for s in full], query
        assert [s["start"] for s in times] == [hours_from_now(h) for h in hours], query
    bad = admin.get("/v1/slots", query_string={"candidate": cand["id"], "view": "ids"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json["errors"]] == ["view"]


def test_a_list_of_jobs_with_big_results_is_cut_at_1_mib_and_continues_exactly(
        admin: Api, runtime: Runtime) -> None:
    submitted = datetime.now(UTC) - timedelta(hours=1)
    result = {"interviews": [{"candidate": str(uuid.uuid4())} for _ in range(8000)]}  # 400 KB
    with runtime.sessions.begin() as session:
        ids = [str(i) for i in session.scalars(text(
            "INSERT INTO jobs (id, kind, status, payload, result, submitted_at, finished_at, "
            "attempts) SELECT gen_random_uuid(), 'match', 'succeeded', '{}', :result, "
            ":at + make_interval(secs => n), :at + make_interval(secs => n), 1 "
            "FROM generate_series(1, 12) AS n RETURNING id"),
            {"result": json.dumps(result), "at": submitted})]
    found = list(pages(admin, "/v1/jobs", "jobs", limit=100))
    assert [len(jobs) for _, jobs in found] == [2] * 6
    assert all(size <= PAGE for size, _ in found)
    assert sorted(job["id"] for _, jobs in found for job in jobs) == sorted(ids)


def test_a_page_holds_one_item_even_when_that_item_alone_passes_the_bound(
        admin: Api, runtime: Runtime) -> None:
    huge = {"interviews": [{"candidate": str(uuid.uuid4())} for _ in range(30_000)]}  # 1.4 MB
    with runtime.sessions.begin() as session:
        session.execute(text(
            "INSERT INTO jobs (id, kind, status, payload, result, submitted_at, attempts) "
            "SELECT gen_random_uuid(), 'match', 'succeeded', '{}', :result, "
            "now() + make_interval(secs => n), 1 FROM generate_series(1, 2) AS n"),
            {"result": json.dumps(huge)})
    found = list(pages(admin, "/v1/jobs", "jobs"))
    assert [len(jobs) for _, jobs in found] == [1, 1]
    assert found[0][1][0]["result"] == huge


@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_small_items_still_stop_at_the_limit(admin: Api, limit: int) -> None:
    made = [admin.person("interviewer")["id"] for _ in range(4)]
    found = list(pages(admin, "/v1/people", "people", limit=limit))
    assert [len(people) for _, people in found] == {1: [1] * 4, 3: [3, 1], 1000: [4]}[limit]
    assert [p["id"] for _, people in found for p in people] == made
