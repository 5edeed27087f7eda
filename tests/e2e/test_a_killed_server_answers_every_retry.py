"""The embedded `serve` killed again and again while clients write with Idempotency-Keys and
retry, as careful clients do: every write gets its answer within a minute of its first try,
each is applied once, and every job accepted with 202 runs to success."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.e2e.test_embedded_serve import Launcher, printed_key, tomorrow, z

pytestmark = pytest.mark.timeout(300)

KILLS = 5
CLIENTS = 6
ANSWER_WITHIN = 60.0  # seconds from a write's first try to its answer
GIVE_UP = 120.0
# As many writes in flight as the server takes, so that kills land inside requests.
UNLIMITED = {"RATE_LIMIT_WRITES": "1000000/minute"}


@dataclass
class Write:
    path: str
    body: dict[str, Any]
    key: str
    status: int | None = None
    answer: dict[str, Any] | None = None
    seconds: float = 0.0
    tries: int = 0


def send_until_answered(url: str, admin: str, write: Write) -> None:
    """Retry on a lost connection, a 5xx and a 409 "still being processed", with the same key."""
    began = time.monotonic()
    while time.monotonic() - began < GIVE_UP:
        write.tries += 1
        try:
            r = requests.post(url + write.path, json=write.body, timeout=10,
                              headers={"Authorization": f"Bearer {admin}",
                                       "Idempotency-Key": write.key})
        except requests.RequestException:
            time.sleep(0.2)
            continue
        if r.status_code == 409 or r.status_code >= 500:
            time.sleep(0.2)
            continue
        write.status, write.answer = r.status_code, r.json()
        break
    write.seconds = time.monotonic() - began


@dataclass
class Writer:
    """One client: new people and availability for them, one write at a time."""

    url: str
    admin: str
    done: list[Write]

    def run(self, stop: threading.Event) -> None:
        person: str | None = None
        hour = 0
        while not stop.is_set():
            if person is None or hour == 20:
                email = f"w-{uuid.uuid4().hex[:12]}@example.com"
                write = Write("/v1/people", {"name": "W", "email": email, "role": "interviewer"},
                              uuid.uuid4().hex)
                hour = 0
            else:
                write = Write(f"/v1/people/{person}/availability", {"ranges": [
                    {"start": z(tomorrow(hour)), "end": z(tomorrow(hour + 1))}]},
                              uuid.uuid4().hex)
                hour += 1
            send_until_answered(self.url, self.admin, write)
            self.done.append(write)
            if write.status != 201 and write.path == "/v1/people":
                return  # reported below
            if write.path == "/v1/people":
                person = str(write.answer["id"]) if write.answer else None


@pytest.fixture
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    launch = Launcher(tmp_path_factory.mktemp("crashes"))
    yield launch
    launch.kill_all()


def test_every_keyed_write_is_answered_and_applied_once_across_kills(
        launcher: Launcher, figures: Any) -> None:
    server = launcher.start(**UNLIMITED)
    admin = printed_key(server)
    done: list[Write] = []
    stop = threading.Event()
    writers = [threading.Thread(target=Writer(server.url, admin, done).run, args=(stop,))
               for _ in range(CLIENTS)]
    for thread in writers:
        thread.start()
    rng = random.Random(14)
    for _ in range(KILLS):
        time.sleep(rng.uniform(1.0, 2.5))
        server.kill()
        server = launcher.start(**UNLIMITED)
    time.sleep(2)
    stop.set()
    for thread in writers:
        thread.join(timeout=GIVE_UP + 20)

    slowest = max(w.seconds for w in done)
    retried = sum(1 for w in done if w.tries > 1)
    figures(f"{len(done)} keyed writes across {KILLS} kills of `serve`: {retried} retried, "
            f"slowest answered in {slowest:.1f} s")
    unanswered = [w for w in done if w.status not in (201, 202)]
    assert not unanswered, unanswered[:3]
    assert slowest < ANSWER_WITHIN, sorted(w.seconds for w in done)[-5:]
    assert retried > 0, "no write was caught by a kill: the test proved nothing"

    def get(path: str) -> Any:
        r = requests.get(server.url + path, headers={"Authorization": f"Bearer {admin}"},
                         timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    emails = [p["email"] for p in get("/v1/people?limit=1000")["people"]]
    created = [w for w in done if w.path == "/v1/people"]
    for write in created:  # each person once, the one the answer named
        assert emails.count(write.body["email"]) == 1, write
        assert get(f"/v1/people/{write.answer['id']}")["email"] == write.body["email"]  # type: ignore[index]
    jobs = [w.answer["id"] for w in done if w.status == 202]  # type: ignore[index]
    deadline = time.monotonic() + 60
    for job_id in jobs:  # nothing accepted is lost: each job runs to success
        while (job := get(f"/v1/jobs/{job_id}"))["status"] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "succeeded", job
