"""A small HTTP client on kept-alive connections: latency on one connection, and throughput
over several, from two processes (one Python process cannot load a server on its own)."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CLIENT_PROCESSES = 2
THREADS_PER_PROCESS = 4


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    content_type: str = "application/json"


class Client:
    """One kept-alive connection with an API key."""

    def __init__(self, base_url: str, key: str | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers: dict[str, str] = {}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def send(self, call: Call) -> tuple[int, bytes]:
        for attempt in (1, 2):  # the server may have closed an idle kept-alive connection
            try:
                self.connection.request(call.method, call.path, call.body,
                                        {**self.headers, "Content-Type": call.content_type})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def submit(self, call: Call) -> str:
        """Send a call that queues a job; the job's id (fails unless it answered 202)."""
        status, answer = self.send(call)
        if status != 202:
            raise RuntimeError(f"{call.path} answered {status}: {answer[:300]!r}")
        job_id: str = json.loads(answer)["id"]
        return job_id


def latencies(base_url: str, key: str | None, calls: Sequence[Call]) -> list[float]:
    """Seconds per call, one after the other on one connection (after one warm-up call)."""
    client = Client(base_url, key)
    _check(client.send(calls[0]), calls[0])
    out = []
    for call in calls:
        began = time.perf_counter()
        status = client.send(call)
        out.append(time.perf_counter() - began)
        _check(status, call)
    return out


def _check(answer: tuple[int, bytes], call: Call) -> None:
    if not 200 <= answer[0] < 300:
        raise RuntimeError(f"{call.method} {call.path} answered {answer[0]}: {answer[1][:300]!r}")


def _load(args: tuple[str, str | None, list[Call], float, float]) -> int:
    """One client process: its threads send calls until `stop_at`; returns calls answered."""
    base_url, key, calls, start_at, stop_at = args
    counts = [0] * THREADS_PER_PROCESS
    failures: list[str] = []

    def run(slot: int) -> None:
        client = Client(base_url, key)
        time.sleep(max(0.0, start_at - time.time()))
        i = slot
        while time.time() < stop_at:
            call = calls[i % len(calls)]
            status, raw = client.send(call)
            if not 200 <= status < 300:
                failures.append(f"{call.method} {call.path} answered {status}: {raw[:300]!r}")
                return
            counts[slot] += 1
            i += THREADS_PER_PROCESS
    threads = [threading.Thread(target=run, args=(s,)) for s in range(THREADS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return sum(counts)


def throughput(base_url: str, key: str | None, calls: Sequence[Call], seconds: float) -> float:
    """Answers per second with CLIENT_PROCESSES × THREADS_PER_PROCESS connections."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(CLIENT_PROCESSES) as pool:
        start_at = time.time() + 1.5  # once every process has started
        counts = pool.map(_load, [(base_url, key, list(calls), start_at, start_at + seconds)]
                          * CLIENT_PROCESSES)
    return sum(counts) / seconds


def send_all(base_url: str, key: str | None, calls: Sequence[Call],
             connections: int = CLIENT_PROCESSES * THREADS_PER_PROCESS) -> list[Any]:
    """Send every call once over `connections` connections; their JSON answers, in order."""
    local = threading.local()

    def one(call: Call) -> Any:
        if not hasattr(local, "client"):
            local.client = Client(base_url, key)
        answer = local.client.send(call)
        _check(answer, call)
        return json.loads(answer[1])

    with ThreadPoolExecutor(connections) as pool:
        return list(pool.map(one, calls))
