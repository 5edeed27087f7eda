"""The match job books all or nothing, and reads again when the calendar changed under it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from models import Interview
from scheduling import match
from tests.workers.support import BASE, add_hours, add_person, at, deliver, job_row, submit
from workers import matches
from workers.interviews import book
from workers.queue.runtime import Runtime


def _match_job(runtime: Runtime, **extra: Any) -> uuid.UUID:
    return submit(runtime, "match", {"candidates": None, "interviewers": None,
                                     "from": BASE.isoformat(), "to": at(24).isoformat(),
                                     "max_panel_size": None, "book": True, **extra})


def _someone_books_meanwhile(runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
                             times: int) -> list[int]:
    """While the job solves, another coordinator books the interviewer at hour 0; their
    earlier booking is undone before each read, so that every read sees hour 0 free."""
    intruder, interviewer = add_person(runtime, "candidate"), add_person(runtime, "interviewer")
    add_hours(runtime, intruder, 0)
    add_hours(runtime, interviewer, 0, 1)
    load, solve, calls = matches.load, match.solve, [0]

    def undo_then_load(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] <= times:
            with runtime.sessions.begin() as session:
                session.execute(delete(Interview).where(Interview.candidate_id == intruder))
        return load(*args, **kwargs)

    def solve_while_someone_books(*args: Any, **kwargs: Any) -> match.Match:
        if calls[0] <= times:
            with runtime.sessions.begin() as session:
                book(session, intruder, [interviewer], at(0), runtime.clock.now(),
                     runtime.settings.tz)
        return solve(*args, **kwargs)

    monkeypatch.setattr(matches, "load", undo_then_load)
    monkeypatch.setattr(match, "solve", solve_while_someone_books)
    return calls


def test_a_booked_match_reads_again_when_the_calendar_changed(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    candidate = add_person(runtime, "candidate")
    add_hours(runtime, candidate, 0, 1)
    calls = _someone_books_meanwhile(runtime, monkeypatch, times=1)
    job = _match_job(runtime, candidates=[str(candidate)])
    deliver(runtime, job)
    done = job_row(runtime, job)
    assert done.status == "succeeded", done.error
    assert calls[0] == 2
    assert [i["start"] for i in done.result["interviews"]] == [at(1).isoformat().replace(
        "+00:00", "Z")]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Interview)) == 2


def test_a_match_whose_calendar_keeps_changing_fails_with_409_and_books_nothing(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    candidate = add_person(runtime, "candidate")
    add_hours(runtime, candidate, 0)
    _someone_books_meanwhile(runtime, monkeypatch, times=99)
    job = _match_job(runtime, candidates=[str(candidate)])
    deliver(runtime, job)
    done = job_row(runtime, job)
    assert done.status == "failed" and done.error["status"] == 409
    with runtime.sessions() as session:
        booked = session.scalars(select(Interview.candidate_id)).all()
    assert candidate not in booked
