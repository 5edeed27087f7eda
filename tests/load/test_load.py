"""Load: many clients mix slot queries, availability writes, bookings and matches against
granian and two workers for a fixed time; afterwards the calendar must be consistent.

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

from collections.abc import Callable

import pytest
from sqlalchemy import create_engine

from tests.load.checks import (
    answers_as_expected,
    api_agrees,
    availability_as_written,
    bookings_kept,
    every_interview_accounted_for,
    every_job_finished,
    hours_within_availability,
    interviews_well_formed,
    matches_booked,
    no_double_booking,
    removes_refused_only_when_booked,
    retries_replayed,
    writes_applied_once,
)
from tests.load.clients import run_clients
from tests.load.conftest import Seeded, Stack
from tests.load.figures import checks_line, latency_line, outcome_line, requests_line
from tests.load.state import drain, read_state

pytestmark = pytest.mark.timeout(240)


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
