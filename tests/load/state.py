"""The calendar after the run, as PostgreSQL holds it, read once every job has finished."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from models import AvailabilityHour, Interview, InterviewParticipant, Job
from tests.load.conftest import DONE, Stack
from tests.stack import wait_until

DRAIN_TIMEOUT = 60.0


@dataclass(frozen=True)
class JobRow:
    """A job as its row ended: what it was, how it ended, how long it took."""

    kind: str
    status: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    seconds: float | None  # submitted → finished


@dataclass(frozen=True)
class InterviewRow:
    """An interview row with its participant rows, each of which holds its own hour."""

    candidate: str
    start: datetime
    end: datetime
    people: dict[str, datetime]  # participant → the hour of their participant row


@dataclass(frozen=True)
class State:
    """Every job, availability hour and interview in the database after the run."""

    jobs: dict[str, JobRow]
    hours: dict[str, set[datetime]]
    interviews: dict[str, InterviewRow]


def status(state: State, job: str) -> str | None:
    """A job's status; None for a job the database does not hold (the checks say so)."""
    found = state.jobs.get(job)
    return found.status if found else None


def unfinished(engine: Engine) -> dict[str, int]:
    """How many jobs are in each status that is not final: what a drain waits out."""
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
