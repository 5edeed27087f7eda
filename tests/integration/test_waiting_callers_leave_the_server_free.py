"""`Prefer: wait` holds a request thread while it waits; forty callers waiting on jobs that no
worker runs must not take every thread: `/healthz` and everyone else's requests still answer.

The API runs in production mode on Redis (no worker: the jobs stay queued, so every wait lasts
its full length) behind waitress with eight threads, the embedded server's shape.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from waitress import create_server

from tests.network import BROKERS
from tests.stack import Client, next_day, span

WAITERS = 40
WAIT = 15  # seconds each caller asks to wait
SLOTS = 2  # PREFER_WAIT_SLOTS' default


@pytest.fixture
def served(api_on: Callable[..., Client]) -> Iterator[tuple[Client, str]]:
    client = api_on(BROKERS["redis"])
    server = create_server(client.client.application, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield client, f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    thread.join(timeout=10)


def timed(call: Callable[[], requests.Response]) -> tuple[int, float]:
    began = time.monotonic()
    try:
        status = call().status_code
    except requests.Timeout:
        status = 0
    return status, time.monotonic() - began


def test_forty_waiting_callers_leave_healthz_answering_at_once(
        served: tuple[Client, str], figures: Callable[[str], None]) -> None:
    client, url = served
    headers = {"Authorization": f"Bearer {client.key}", "Prefer": f"wait={WAIT}"}
    people = [client.person() for _ in range(WAITERS)]

    def wait_on(person: str) -> tuple[int, float]:
        return timed(lambda: requests.post(
            f"{url}/v1/people/{person}/availability", json={"ranges": [span(next_day(), 2)]},
            headers=headers, timeout=4 * WAIT))

    with ThreadPoolExecutor(WAITERS) as pool:
        waiting = [pool.submit(wait_on, person) for person in people]
        time.sleep(2)  # every caller has sent its request by now
        health = [timed(lambda: requests.get(f"{url}/healthz", timeout=2 * WAIT))
                  for _ in range(5)]
        answers = [future.result() for future in waiting]

    slowest = max(seconds for _, seconds in health)
    figures(f"/healthz while {WAITERS} callers wait: slowest of 5 in {slowest:.3f} s")
    assert all(status == 200 for status, _ in health), health
    assert slowest < 1.0, health
    assert all(status == 202 for status, _ in answers), answers
    waited = [seconds for _, seconds in answers if seconds >= WAIT - 1]
    assert len(waited) <= SLOTS, answers  # the others were answered at once, not held
