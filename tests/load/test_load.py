"""Load: many clients mix slot queries, availability writes, bookings and matches against
gunicorn and two workers for a fixed time; afterwards the calendar must be consistent.

The run is bounded by time, not by counts: each client stops starting work after
LOAD_SECONDS, every request has a timeout, and the jobs still queued then get a bounded time to
finish. Then PostgreSQL and the API are read: no one is in two interviews in one hour, every
participant's hour is in their availability, every job finished, every availability write was
applied exactly once, every booking answered 201 and every match booked is there (unless
cancelled), and no request got an answer it should not have (5xx, 429, ...).

Each client writes availability blocks of its own, which no one else writes. It removes a block
only once, and only after it saw the block's add succeed: two workers could otherwise run an add
and a later remove of the same hours in either order, and the final state would not tell
whether each was applied once. A remove fails (409) when a client booked one of its hours.
Now and then a client sends a POST twice with one Idempotency-Key, as after a lost answer: the
second must replay the first answer and create nothing.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from sqlalchemy import Engine, create_engine, func, select

from models import AvailabilityHour, Interview, InterviewParticipant, Job
from tests.load.conftest import (
    HTTP_TIMEOUT,
    SEED,
    SEEDED_DAYS,
    WEB_PROCESSES,
    WEB_THREADS,
    WORKERS,
    Seeded,
    Stack,
)
from tests.stack import span, wait_until, z

pytestmark = pytest.mark.timeout(240)

LOAD_SECONDS = 20.0
CLIENTS = 16
DRAIN_TIMEOUT = 60.0
HOUR = timedelta(hours=1)
DONE = ("succeeded", "failed")
# What a client does next, by weight.
MIX = {"slots": 40, "add": 20, "remove": 6, "book": 22, "cancel": 4, "match": 8}
# Every answer each kind of request may get; any other (5xx, 429, a timeout) fails the run.
# 409 is a booking's answer when someone was taken meanwhile; 200 an add's under Prefer: wait.
EXPECTED = {"slots": {200}, "add": {200, 202}, "remove": {202}, "job": {200},
            "book": {201, 409}, "cancel": {204}, "match": {202}}
RETRIES = 0.1  # the share of successful POSTs that the client sends again, as after a lost answer
# Jobs that may fail, and how: a remove of a booked hour; a match outpaced by bookings.
MAY_FAIL = {"availability.remove": 409, "match": 409}


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int | str  # a status code, or the name of the exception instead of an answer
    seconds: float


@dataclass(frozen=True)
class Write:
    """An availability job a client submitted for a block of hours only it writes."""

    job: str
    kind: str  # add | remove
    person: str
    start: datetime
    hours: int

    def hour_set(self) -> set[datetime]:
        return {self.start + k * HOUR for k in range(self.hours)}


@dataclass
class Journal:
    """What the clients sent and what they were answered."""

    answers: list[Answer] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)  # answered 201
    cancelled: set[str] = field(default_factory=set)  # answered 204
    matches: list[str] = field(default_factory=list)
    replays: list[tuple[str, str | None, bool]] = field(default_factory=list)  # id, again, header

    def extend(self, other: Journal) -> None:
        self.answers += other.answers
        self.writes += other.writes
        self.bookings.update(other.bookings)
        self.cancelled |= other.cancelled
        self.matches += other.matches
        self.replays += other.replays

    def jobs(self) -> set[str]:
        return {w.job for w in self.writes} | set(self.matches)


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


# --- the clients ----------------------------------------------------------------------------

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


# --- the calendar afterwards, as PostgreSQL holds it ----------------------------------------

@dataclass(frozen=True)
class JobRow:
    kind: str
    status: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    seconds: float | None  # submitted → finished


@dataclass(frozen=True)
class InterviewRow:
    candidate: str
    start: datetime
    end: datetime
    people: dict[str, datetime]  # participant → the hour of their participant row


@dataclass(frozen=True)
class State:
    jobs: dict[str, JobRow]
    hours: dict[str, set[datetime]]
    interviews: dict[str, InterviewRow]


def status(state: State, job: str) -> str | None:
    """A job's status; None for a job the database does not hold (the checks say so)."""
    found = state.jobs.get(job)
    return found.status if found else None


def unfinished(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(Job.status, func.count()).where(
            Job.status.not_in(DONE)).group_by(Job.status))
        return {status: count for status, count in rows}


def drain(engine: Engine, stack: Stack) -> None:
    """Wait, bounded, until no job is queued or running."""
    wait_until(lambda: not unfinished(engine), DRAIN_TIMEOUT, "every job finishing",
               lambda: f"unfinished jobs: {unfinished(engine)}\n{stack.logs()}")


def read_state(engine: Engine) -> State:
    """The rows themselves, not the API's view of them: the checks compare the two."""
    with engine.connect() as conn:
        jobs = {str(j.id): JobRow(j.kind, j.status, j.result, j.error, (
            (j.finished_at - j.submitted_at).total_seconds() if j.finished_at else None))
            for j in conn.execute(select(Job))}
        hours: dict[str, set[datetime]] = defaultdict(set)
        for person, start in conn.execute(select(AvailabilityHour.person_id,
                                                 AvailabilityHour.start)):
            hours[str(person)].add(start)
        interviews = {str(i.id): InterviewRow(str(i.candidate_id), i.start, i.end, {})
                      for i in conn.execute(select(Interview))}
        for ident, person, start in conn.execute(select(
                InterviewParticipant.interview_id, InterviewParticipant.person_id,
                InterviewParticipant.start)):
            interviews[str(ident)].people[str(person)] = start
    return State(jobs, dict(hours), interviews)


# --- the checks: each returns what is wrong, nothing when all is well ------------------------

def double_bookings(interviews: list[tuple[str, str, list[str]]]) -> list[str]:
    """(start, candidate, interviewers) of each interview → who sits in two at one hour."""
    seats = Counter((person, start) for start, candidate, panel in interviews
                    for person in [candidate, *panel])
    return [f"{person} is in {n} interviews at {start}" for (person, start), n in seats.items()
            if n > 1]


def no_double_booking(state: State) -> list[str]:
    """Counted from the participant rows, whatever the unique constraint promises."""
    return double_bookings([(z(i.start), i.candidate, [p for p in i.people if p != i.candidate])
                            for i in state.interviews.values()])


def interviews_well_formed(state: State, seeded: Seeded) -> list[str]:
    """One candidate, one or more interviewers, one hour on the hour, everyone at that hour."""
    role = {p.id: p.role for p in seeded.people}
    wrong = []
    for ident, i in state.interviews.items():
        panel = [p for p in i.people if p != i.candidate]
        if (i.candidate not in i.people or role[i.candidate] != "candidate" or not panel
                or any(role[p] != "interviewer" for p in panel)
                or set(i.people.values()) != {i.start} or i.end - i.start != HOUR
                or i.start.minute or i.start.second):
            wrong.append(f"interview {ident}: {i}")
    return wrong


def hours_within_availability(state: State) -> list[str]:
    """Counted from the rows, whatever the foreign key promises."""
    return [f"{person} sits in {ident} at {z(start)} outside their availability"
            for ident, i in state.interviews.items() for person, start in i.people.items()
            if start not in state.hours.get(person, set())]


def every_job_finished(journal: Journal, state: State) -> list[str]:
    """Every job accepted was run to an end, failed only as it may, and none appeared unasked."""
    wrong = [f"job {ident} answered 202 is not in the database"
             for ident in journal.jobs() - state.jobs.keys()]
    extra = state.jobs.keys() - journal.jobs()
    if [state.jobs[i].kind for i in extra] != ["availability.import"]:  # the seeding's own
        wrong.append(f"jobs nobody submitted: {sorted(extra)}")
    for ident, job in state.jobs.items():
        if job.status not in DONE:
            wrong.append(f"job {ident} ({job.kind}) is {job.status}")
        elif job.status == "failed" and (job.error or {}).get("status") != MAY_FAIL.get(job.kind):
            wrong.append(f"job {ident} ({job.kind}) failed: {job.error}")
    return wrong


def writes_applied_once(journal: Journal, state: State) -> list[str]:
    """Each add counted exactly the hours sent as added; each remove that succeeded removed
    exactly them."""
    wrong = []
    for w in journal.writes:
        job = state.jobs.get(w.job)
        counts = ({"added": w.hours, "already_present": 0} if w.kind == "add"
                  else {"removed": w.hours, "not_present": 0})
        if job is not None and job.status == "succeeded" and job.result != counts:
            wrong.append(f"{w.kind} of {w.hours} h for {w.person} at {z(w.start)}: "
                         f"{job.result}, expected {counts}")
    return wrong


def removes_refused_only_when_booked(journal: Journal, state: State) -> list[str]:
    """A remove fails only for a booked hour: of an interview still there, or since cancelled."""
    booked = {(person, start) for i in state.interviews.values()
              for person, start in i.people.items()}
    for ident in journal.cancelled:
        b = journal.bookings[ident]
        booked |= {(person, datetime.fromisoformat(b["start"]))
                   for person in [b["candidate"], *b["interviewers"]]}
    return [f"the remove of {w.hours} h for {w.person} at {z(w.start)} failed; none was booked"
            for w in journal.writes if w.kind == "remove" and status(state, w.job) == "failed"
            and not any((w.person, hour) in booked for hour in w.hour_set())]


def expected_hours(journal: Journal, state: State, seeded: Seeded) -> dict[str, set[datetime]]:
    """The seeded hours, plus every block added, minus those whose remove succeeded."""
    hours = {person: set(found) for person, found in seeded.hours.items()}
    removed = {(w.person, w.start) for w in journal.writes
               if w.kind == "remove" and status(state, w.job) == "succeeded"}
    for w in journal.writes:
        if w.kind == "add" and (w.person, w.start) not in removed:
            hours[w.person] |= w.hour_set()
    return hours


def availability_as_written(journal: Journal, state: State, seeded: Seeded) -> list[str]:
    """Every person's hours are exactly what was written: nothing lost, nothing extra."""
    expected = expected_hours(journal, state, seeded)
    wrong = []
    for person in expected.keys() | state.hours.keys():
        want, got = expected.get(person, set()), state.hours.get(person, set())
        if want != got:
            wrong.append(f"{person}: missing {sorted(map(z, want - got))}, "
                         f"extra {sorted(map(z, got - want))}")
    return wrong


def bookings_kept(journal: Journal, state: State) -> list[str]:
    """Every 201 is there as answered, unless cancelled (204), and then it is gone."""
    wrong = []
    for ident, booked in journal.bookings.items():
        row = state.interviews.get(ident)
        if ident in journal.cancelled:
            if row is not None:
                wrong.append(f"interview {ident} was cancelled but is still there")
        elif row is None or (z(row.start), set(row.people)) != (
                booked["start"], {booked["candidate"], *booked["interviewers"]}):
            wrong.append(f"interview {ident} answered 201 as {booked}, found {row}")
    return wrong


def match_interviews(journal: Journal, state: State) -> dict[str, dict[str, Any]]:
    """The interviews that the succeeded matches booked, by id."""
    return {i.get("id", "?"): i for ident in journal.matches
            if status(state, ident) == "succeeded"
            for i in (state.jobs[ident].result or {}).get("interviews", [])}


def matches_booked(journal: Journal, state: State) -> list[str]:
    """Every interview that a succeeded match booked is there, as the match's result says."""
    wrong = []
    for ident, booked in match_interviews(journal, state).items():
        row = state.interviews.get(ident)
        if row is None or (z(row.start), set(row.people)) != (
                booked["start"], {booked["candidate"], *booked["interviewers"]}):
            wrong.append(f"match interview {booked} is not in the database as booked: {row}")
    return wrong


def every_interview_accounted_for(journal: Journal, state: State) -> list[str]:
    """No interview that neither a booking nor a match made."""
    made = (journal.bookings.keys() - journal.cancelled) | match_interviews(journal, state).keys()
    return [f"interview {ident} was never booked by anyone: {state.interviews[ident]}"
            for ident in state.interviews.keys() - made]


def retries_replayed(journal: Journal) -> list[str]:
    """A POST sent again with its Idempotency-Key gets the first answer back, marked replayed."""
    return [f"a retry of the POST that made {first} answered {again} (replayed: {replayed})"
            for first, again, replayed in journal.replays if (again, replayed) != (first, True)]


def answers_as_expected(journal: Journal) -> list[str]:
    unexpected = Counter((a.kind, a.status) for a in journal.answers
                         if a.status not in EXPECTED[a.kind])
    return [f"{n} × {kind} answered {status}" for (kind, status), n in unexpected.items()]


# --- the same calendar, through the API ------------------------------------------------------

def api_interviews(stack: Stack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query: dict[str, str] = {"limit": "1000"}
    while True:
        r = stack.call("GET", "/v1/interviews?" + urlencode(query))
        assert r.status_code == 200, r.text
        found += r.json()["interviews"]
        if r.json()["next"] is None:
            return found
        query["cursor"] = r.json()["next"]


def hours_of(ranges: list[dict[str, str]]) -> set[datetime]:
    out = set()
    for r in ranges:
        start, end = datetime.fromisoformat(r["start"]), datetime.fromisoformat(r["end"])
        out |= {start + k * HOUR for k in range((end - start) // HOUR)}
    return out


def api_agrees(stack: Stack, state: State, seeded: Seeded) -> list[str]:
    """The interviews listed, and each person's hours and booked hours, are the database's;
    and the listed interviews double-book no one."""
    listed = api_interviews(stack)
    wrong = double_bookings([(i["start"], i["candidate"], i["interviewers"]) for i in listed])
    if {i["id"] for i in listed} != state.interviews.keys():
        wrong.append(f"GET /v1/interviews lists {len(listed)}, the database holds "
                     f"{len(state.interviews)}")
    last = max(h for hours in state.hours.values() for h in hours) + HOUR
    booked: dict[str, set[datetime]] = defaultdict(set)
    for i in state.interviews.values():
        for person, start in i.people.items():
            booked[person].add(start)
    for p in seeded.people:
        window = urlencode({"from": z(seeded.seeded), "to": z(last)})
        r = stack.call("GET", f"/v1/people/{p.id}/availability?{window}")
        got = r.json() if r.status_code == 200 else {"ranges": [], "booked": []}
        if (hours_of(got["ranges"]), hours_of(got["booked"])) != (
                state.hours.get(p.id, set()), booked[p.id]):
            wrong.append(f"GET availability of {p.id} answered {r.status_code} {got}")
    return wrong


# --- figures ---------------------------------------------------------------------------------

def p50_p99(seconds: list[float]) -> str:
    """Nearest-rank percentiles in milliseconds: no interpolation to invent a latency."""
    ordered = sorted(seconds)
    if not ordered:
        return "-"
    at = [ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.99)]
    return "/".join(f"{s * 1000:.0f}" for s in at)


def requests_line(journal: Journal, elapsed: float) -> str:
    statuses = Counter(str(a.status) for a in journal.answers)
    n = len(journal.answers)
    return (f"load: {CLIENTS} clients × {LOAD_SECONDS:g} s against gunicorn ({WEB_PROCESSES} × "
            f"{WEB_THREADS} threads) + {WORKERS} workers: {n} requests in {elapsed:.1f} s "
            f"({n / elapsed:.0f}/s); by status "
            + " ".join(f"{s}={k}" for s, k in sorted(statuses.items())))


def latency_line(journal: Journal, state: State) -> str:
    requests_by_kind: dict[str, list[float]] = defaultdict(list)
    for a in journal.answers:
        requests_by_kind[a.kind].append(a.seconds)
    jobs_by_kind: dict[str, list[float]] = defaultdict(list)
    for job in state.jobs.values():
        if job.seconds is not None and job.kind != "availability.import":
            jobs_by_kind[job.kind].append(job.seconds)
    return ("load: p50/p99 ms by request (count): " + ", ".join(
        f"{kind} {p50_p99(requests_by_kind[kind])} ({len(requests_by_kind[kind])})"
        for kind in EXPECTED) + "; job submitted → finished: " + ", ".join(
        f"{kind} {p50_p99(s)}" for kind, s in sorted(jobs_by_kind.items())))


def outcome_line(journal: Journal, state: State) -> str:
    done = Counter(j.status for j in state.jobs.values())
    failed = Counter(f"{j.kind} {(j.error or {}).get('status')} {(j.error or {}).get('title')}"
                     for j in state.jobs.values() if j.status == "failed")
    matched = sum(status(state, m) == "succeeded" for m in journal.matches)
    return (f"load: {len(state.jobs)} jobs finished ({done['succeeded']} succeeded, "
            f"{done['failed']} failed" + "".join(f"; {n} {why}" for why, n in failed.items())
            + f"); interviews: {len(journal.bookings) - len(journal.cancelled)} booked and kept "
            f"({len(journal.cancelled)} cancelled), {len(match_interviews(journal, state))} by "
            f"{matched} matches; {len(journal.replays)} POSTs sent twice")


def checks_line(checks: dict[str, list[str]]) -> str:
    return "load: checks: " + ", ".join(f"{name} {'✗' if wrong else '✓'}"
                                        for name, wrong in checks.items())


def test_many_clients_for_a_fixed_time_leave_the_calendar_consistent(
        stack: Stack, seeded: Seeded, figures: Callable[[str], None]) -> None:
    journal, elapsed = run_clients(stack, seeded)
    engine = create_engine(stack.database_url)
    try:
        drain(engine, stack)
        state = read_state(engine)
    finally:
        engine.dispose()
    checks = {
        "no double booking": no_double_booking(state),
        "interviews well formed": interviews_well_formed(state, seeded),
        "hours within availability": hours_within_availability(state),
        "every job finished": every_job_finished(journal, state),
        "every write applied once": writes_applied_once(journal, state),
        "availability as written": availability_as_written(journal, state, seeded),
        "removes refused only when booked": removes_refused_only_when_booked(journal, state),
        "bookings kept": bookings_kept(journal, state),
        "matches booked": matches_booked(journal, state),
        "every interview accounted for": every_interview_accounted_for(journal, state),
        "retries replayed": retries_replayed(journal),
        "answers as expected": answers_as_expected(journal),
        "API agrees": api_agrees(stack, state, seeded),
    }
    for line in (requests_line(journal, elapsed), latency_line(journal, state),
                 outcome_line(journal, state), checks_line(checks)):
        figures(line)
    wrong = {name: found[:10] for name, found in checks.items() if found}
    assert not wrong, f"{wrong}\n{stack.logs()}"
