"""The figures lines of the load run: throughput, latencies, outcomes and the checks."""

from __future__ import annotations

from collections import Counter, defaultdict

from tests.load.checks import EXPECTED, match_interviews
from tests.load.clients import CLIENTS, LOAD_SECONDS
from tests.load.conftest import WEB_PROCESSES, WEB_THREADS, WORKERS
from tests.load.journal import Journal
from tests.load.state import State, status


def p50_p99(seconds: list[float]) -> str:
    """Nearest-rank percentiles in milliseconds: no interpolation to invent a latency."""
    ordered = sorted(seconds)
    if not ordered:
        return "-"
    at = [ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.99)]
    return "/".join(f"{s * 1000:.0f}" for s in at)


def requests_line(journal: Journal, elapsed: float) -> str:
    """How many requests the clients sent, how fast, and how they were answered."""
    statuses = Counter(str(a.status) for a in journal.answers)
    n = len(journal.answers)
    return (f"load: {CLIENTS} clients × {LOAD_SECONDS:g} s against granian ({WEB_PROCESSES} × "
            f"{WEB_THREADS} threads) + {WORKERS} workers: {n} requests in {elapsed:.1f} s "
            f"({n / elapsed:.0f}/s); by status "
            + " ".join(f"{s}={k}" for s, k in sorted(statuses.items())))


def latency_line(journal: Journal, state: State) -> str:
    """Latencies of each kind of request, and of each kind of job from submitted to finished."""
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
    """How the jobs ended, and the interviews the bookings and the matches left."""
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
    """Each check, passed or failed: the run's verdict at a glance."""
    return "load: checks: " + ", ".join(f"{name} {'✗' if wrong else '✓'}"
                                        for name, wrong in checks.items())
