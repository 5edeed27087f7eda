"""The load clients: each sends a random mix of requests until the deadline, and journals
every answer it gets."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import requests

from tests.load.conftest import DONE, HOUR, HTTP_TIMEOUT, SEED, SEEDED_DAYS, Seeded, Stack
from tests.load.journal import Answer, Journal, Write
from tests.stack import span, z

LOAD_SECONDS = 20.0
CLIENTS = 16
# What a client does next, by weight.
MIX = {"slots": 40, "add": 20, "remove": 6, "book": 22, "cancel": 4, "match": 8}
RETRIES = 0.1  # the share of successful POSTs that the client sends again, as after a lost answer


class Blocks:
    """Hands out blocks of hours from `origin`, each person's one after the other, each once."""

    def __init__(self, origin: datetime) -> None:
        self.origin = origin
        self.taken: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def take(self, person: str, hours: int) -> datetime:
        with self.lock:
            offset = self.taken[person]
            self.taken[person] += hours
        return self.origin + offset * HOUR


class Client:
    """One user agent: its own connection, random stream and journal; one request at a time."""

    def __init__(self, n: int, stack: Stack, seeded: Seeded, blocks: Blocks,
                 deadline: float) -> None:
        self.rng = random.Random(SEED + n)
        self.url, self.admin = stack.url, stack.admin_key
        self.seeded, self.blocks, self.deadline = seeded, blocks, deadline
        self.interviewers = seeded.of_role("interviewer")
        self.candidates = seeded.of_role("candidate")
        self.keys = {p.id: p.key for p in seeded.people}
        self.http = requests.Session()
        self.journal = Journal()
        self.removable: list[Write] = []  # added (seen succeeded) and not removed yet

    def run(self) -> Journal:
        actions: dict[str, Callable[[], None]] = {
            "slots": self.query_slots, "add": self.add, "remove": self.remove,
            "book": self.book, "cancel": self.cancel, "match": self.match}
        with self.http:
            while time.monotonic() < self.deadline:
                actions[self.rng.choices(list(MIX), list(MIX.values()))[0]]()
        return self.journal

    def call(self, kind: str, method: str, path: str, key: str | None = None, *,
             body: Any = None, params: Any = None,
             headers: dict[str, str] | None = None) -> requests.Response | None:
        """One request, timed and journalled; no answer (a timeout, a reset) is journalled too."""
        sent = {"Authorization": f"Bearer {key or self.admin}", **(headers or {})}
        began = time.monotonic()
        try:
            r = self.http.request(method, self.url + path, json=body, params=params,
                                  headers=sent, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            self.journal.answers.append(Answer(kind, type(exc).__name__,
                                               time.monotonic() - began))
            return None
        self.journal.answers.append(Answer(kind, r.status_code, time.monotonic() - began))
        return r

    def post(self, kind: str, path: str, key: str | None, body: Any,
             headers: dict[str, str] | None = None) -> requests.Response | None:
        """POST with an Idempotency-Key; now and then sent again, as a client whose answer was
        lost would, and then it must be answered the same and create nothing new."""
        sent = {"Idempotency-Key": uuid.uuid4().hex, **(headers or {})}
        r = self.call(kind, "POST", path, key, body=body, headers=sent)
        if r is not None and r.status_code in (200, 201, 202) and self.rng.random() < RETRIES:
            again = self.call(kind, "POST", path, key, body=body, headers=sent)
            replayed = again is not None and again.headers.get("Idempotent-Replayed") == "true"
            self.journal.replays.append(
                (r.json()["id"], again.json().get("id") if again is not None and again.ok else None,
                 replayed))
        return r

    def window(self) -> tuple[datetime, datetime]:
        """One day: a seeded one, or the first of the hours the clients write."""
        starts = [self.seeded.seeded + timedelta(days=d) for d in range(SEEDED_DAYS)]
        start = self.rng.choice([*starts, self.seeded.owned])
        return start, start + timedelta(days=1)

    def finish(self, job: dict[str, Any], key: str) -> str:
        """Poll the job until it finishes or the run is over; its last known status."""
        pause = 0.05
        while job["status"] not in DONE and time.monotonic() < self.deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.4)
            r = self.call("job", "GET", f"/v1/jobs/{job['id']}", key)
            if r is None or r.status_code != 200:
                break
            job = r.json()
        return str(job["status"])

    def query_slots(self) -> None:
        """The admin asks for a candidate, for interviewers, or both; or a candidate for its own."""
        start, end = self.window()
        params = [("from", z(start)), ("to", z(end))]
        shape = self.rng.choice(["candidate", "interviewers", "both", "own"])
        candidate = self.rng.choice(self.candidates)
        if shape in ("candidate", "both"):
            params.append(("candidate", candidate.id))
        if shape in ("interviewers", "both"):
            params += [("interviewer", i.id) for i in
                       self.rng.sample(self.interviewers, self.rng.randint(1, 2))]
        self.call("slots", "GET", "/v1/slots", candidate.key if shape == "own" else None,
                  params=params)

    def add(self) -> None:
        """A person adds a block of their own hours; half the time waiting for the job."""
        person = self.rng.choice(self.seeded.people)
        hours = self.rng.randint(1, 3)
        start = self.blocks.take(person.id, hours)
        headers = {"Prefer": "wait=10"} if self.rng.random() < 0.5 else {}
        r = self.post("add", f"/v1/people/{person.id}/availability", person.key,
                      {"ranges": [span(start, hours)]}, headers)
        if r is None or r.status_code not in (200, 202):
            return
        write = Write(r.json()["id"], "add", person.id, start, hours)
        self.journal.writes.append(write)
        if self.finish(r.json(), person.key) == "succeeded":
            self.removable.append(write)

    def remove(self) -> None:
        """A person removes a block this client added; at most once per block."""
        if not self.removable:
            return self.add()
        added = self.removable.pop(self.rng.randrange(len(self.removable)))
        key = self.keys[added.person]
        r = self.call("remove", "DELETE", f"/v1/people/{added.person}/availability", key,
                      body={"ranges": [span(added.start, added.hours)]})
        if r is not None and r.status_code == 202:
            self.journal.writes.append(Write(r.json()["id"], "remove", added.person,
                                             added.start, added.hours))
            self.finish(r.json(), key)
        return None

    def book(self) -> None:
        """Book what a slot query just offered; someone may have taken it since (409)."""
        candidate = self.rng.choice(self.candidates)
        start, end = self.window()
        r = self.call("slots", "GET", "/v1/slots", params={
            "candidate": candidate.id, "from": z(start), "to": z(end), "limit": 10})
        slots = r.json()["slots"] if r is not None and r.status_code == 200 else []
        if slots:
            slot = self.rng.choice(slots)
            hour, free = slot["start"], slot["interviewers"]
        else:  # nothing free that day: ask anyway, and be told 409
            hour = z(start + self.rng.randrange(24) * HOUR)
            free = [i.id for i in self.interviewers]
        panel = self.rng.sample(free, min(len(free), self.rng.randint(1, 2)))
        r = self.post("book", "/v1/interviews", None,
                      {"candidate": candidate.id, "interviewers": panel, "start": hour})
        if r is not None and r.status_code == 201:
            self.journal.bookings[r.json()["id"]] = r.json()

    def cancel(self) -> None:
        """Cancel one of this client's bookings."""
        live = sorted(self.journal.bookings.keys() - self.journal.cancelled)
        if not live:
            return self.book()
        ident = self.rng.choice(live)
        r = self.call("cancel", "DELETE", f"/v1/interviews/{ident}")
        if r is not None and r.status_code == 204:
            self.journal.cancelled.add(ident)
        return None

    def match(self) -> None:
        """Schedule and book a few candidates against a few interviewers over one day."""
        start, end = self.window()
        body = {"candidates": [c.id for c in self.rng.sample(self.candidates,
                                                              self.rng.randint(3, 6))],
                "interviewers": [i.id for i in self.rng.sample(self.interviewers,
                                                                self.rng.randint(2, 6))],
                "from": z(start), "to": z(end), "book": True}
        r = self.post("match", "/v1/matches", None, body)
        if r is not None and r.status_code == 202:
            self.journal.matches.append(r.json()["id"])
            self.finish(r.json(), self.admin)


def run_clients(stack: Stack, seeded: Seeded) -> tuple[Journal, float]:
    """CLIENTS clients at once for LOAD_SECONDS; the journal of all, and how long it took."""
    blocks = Blocks(seeded.owned)
    began = time.monotonic()
    deadline = began + LOAD_SECONDS
    journal = Journal()
    with ThreadPoolExecutor(CLIENTS, thread_name_prefix="client") as pool:
        for one in pool.map(lambda n: Client(n, stack, seeded, blocks, deadline).run(),
                            range(CLIENTS)):
            journal.extend(one)
    return journal, time.monotonic() - began

