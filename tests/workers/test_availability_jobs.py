"""Availability jobs on a real database: add, remove and bulk import, as a worker runs them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from models import Interview, InterviewParticipant
from tests.workers.support import (
    add_hours,
    add_person,
    all_hours,
    at,
    deliver,
    drain,
    hours_of,
    job_row,
    ranges,
    submit,
)
from workers.queue.runtime import Runtime


def run(runtime: Runtime, kind: str, payload: dict[str, object]) -> uuid.UUID:
    """Submit a job and deliver its one message to its task, as a worker would."""
    job_id = submit(runtime, kind, payload)
    [message] = drain(runtime)
    assert message.job_id == str(job_id)
    deliver(runtime, job_id)
    return job_id


def book(runtime: Runtime, interviewer: uuid.UUID, hour: int) -> None:
    """Book the interviewer's hour in an interview with a new candidate."""
    candidate = add_person(runtime, "candidate", "Cam")
    with runtime.sessions.begin() as session:
        interview = Interview(candidate_id=candidate, start=at(hour), end=at(hour + 1))
        session.add(interview)
        session.flush()
        session.add(InterviewParticipant(interview_id=interview.id, person_id=interviewer,
                                         start=at(hour)))


def test_an_availability_add_counts_added_and_already_present_hours(runtime: Runtime) -> None:
    person = add_person(runtime)
    add_hours(runtime, person, 10)

    job_id = run(runtime, "availability.add",
                 {"person": str(person), "ranges": ranges((9, 12), (11, 13))})

    row = job_row(runtime, job_id)
    assert row.status == "succeeded", row.error
    assert row.result == {"added": 3, "already_present": 1}
    assert hours_of(runtime, person) == {at(9), at(10), at(11), at(12)}


def test_adding_the_same_hours_again_is_a_no_op(runtime: Runtime) -> None:
    person = add_person(runtime)
    body = {"person": str(person), "ranges": ranges((9, 12), (20, 22))}
    first = run(runtime, "availability.add", body)

    second = run(runtime, "availability.add", body)

    assert job_row(runtime, first).result == {"added": 5, "already_present": 0}
    assert job_row(runtime, second).result == {"added": 0, "already_present": 5}
    assert len(hours_of(runtime, person)) == 5


def test_adding_hours_for_someone_does_not_touch_anyone_else(runtime: Runtime) -> None:
    pat, sam = add_person(runtime, name="Pat"), add_person(runtime, name="Sam")
    add_hours(runtime, sam, 9)

    run(runtime, "availability.add", {"person": str(pat), "ranges": ranges((9, 11))})

    assert hours_of(runtime, sam) == {at(9)}
    assert hours_of(runtime, pat) == {at(9), at(10)}


def test_removing_hours_counts_removed_and_absent_hours(runtime: Runtime) -> None:
    person = add_person(runtime)
    add_hours(runtime, person, 9, 10, 11)

    job_id = run(runtime, "availability.remove",
                 {"person": str(person), "ranges": ranges((10, 13))})

    row = job_row(runtime, job_id)
    assert row.status == "succeeded", row.error
    assert row.result == {"removed": 2, "not_present": 1}
    assert hours_of(runtime, person) == {at(9)}


def test_removing_a_booked_hour_fails_with_409_and_changes_nothing(runtime: Runtime) -> None:
    person = add_person(runtime)
    add_hours(runtime, person, 9, 10, 11)
    book(runtime, person, 10)

    job_id = run(runtime, "availability.remove",
                 {"person": str(person), "ranges": ranges((9, 12))})

    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.result is None
    assert row.error is not None
    assert set(row.error) == {"type", "title", "status", "detail"}
    assert (row.error["status"], row.error["title"]) == (409, "Conflict")
    assert (at(10).isoformat().replace("+00:00", "Z")) in row.error["detail"]
    assert "Nothing was removed" in row.error["detail"]
    assert hours_of(runtime, person) == {at(9), at(10), at(11)}


def test_adding_hours_for_a_person_who_does_not_exist_fails_with_404(runtime: Runtime) -> None:
    ghost = uuid.uuid4()

    job_id = run(runtime, "availability.add", {"person": str(ghost), "ranges": ranges((9, 10))})

    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.error is not None and row.error["status"] == 404
    assert str(ghost) in row.error["detail"]
    assert all_hours(runtime) == set()


def test_a_bulk_import_writes_everyone_and_counts_each_hour_once(runtime: Runtime) -> None:
    pat, sam = add_person(runtime, name="Pat"), add_person(runtime, name="Sam")
    add_hours(runtime, sam, 9)

    job_id = run(runtime, "availability.import", {"entries": [
        {"person": str(pat), "ranges": ranges((9, 12))},
        {"person": str(sam), "ranges": ranges((9, 11))},
        {"person": str(pat), "ranges": ranges((11, 13))},
    ]})

    row = job_row(runtime, job_id)
    assert row.status == "succeeded", row.error
    assert row.result == {"people": 2, "added": 5, "already_present": 1}
    assert hours_of(runtime, pat) == {at(9), at(10), at(11), at(12)}
    assert hours_of(runtime, sam) == {at(9), at(10)}


def test_a_bulk_import_is_all_or_nothing_when_one_person_does_not_exist(
    runtime: Runtime,
) -> None:
    pat, sam = add_person(runtime, name="Pat"), add_person(runtime, name="Sam")
    ghost = uuid.uuid4()

    job_id = run(runtime, "availability.import", {"entries": [
        {"person": str(pat), "ranges": ranges((9, 12))},
        {"person": str(ghost), "ranges": ranges((9, 10))},
        {"person": str(sam), "ranges": ranges((14, 15))},
    ]})

    row = job_row(runtime, job_id)
    assert row.status == "failed"
    assert row.error is not None
    assert (row.error["status"], row.error["title"]) == (404, "Not found")
    assert str(ghost) in row.error["detail"]
    assert all_hours(runtime) == set()


def test_a_large_bulk_import_lands_in_one_transaction(runtime: Runtime) -> None:
    people = [add_person(runtime, name=f"P{k}") for k in range(4)]
    hours = 24 * 30  # more rows than one insert chunk holds, across all four people
    entries = [{"person": str(p), "ranges": ranges((0, hours))} for p in people]

    job_id = run(runtime, "availability.import", {"entries": entries})

    row = job_row(runtime, job_id)
    assert row.status == "succeeded", row.error
    assert row.result == {"people": 4, "added": 4 * hours, "already_present": 0}
    stored = all_hours(runtime)
    assert len(stored) == 4 * hours
    assert max(start for _, start in stored) == at(0) + (hours - 1) * timedelta(hours=1)
