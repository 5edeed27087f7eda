"""Weekly hours on a real database: materialized rows, exceptions, booked hours, rolling forward."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models import AvailabilityException, AvailabilityHour, Interview, Person, WeeklyHours
from scheduling.hours import HOUR
from scheduling.weekly import Interval, template
from tests.conftest import ManualClock
from tests.workers.support import add_person, at, hours_of, job_row, make_runtime
from tests.workers.test_availability_jobs import book, run
from workers import interviews, weekly_hours
from workers.queue.runtime import Runtime
from workers.queue.sweep import sweep

NOW = at(-24) + timedelta(minutes=30)  # Sunday 2030-01-06 00:30 UTC; CALENDAR_TZ is UTC
WEEK = 7 * 24
MONDAYS = 52  # 2030-01-07 … 2030-12-30: the horizon ends 2031-01-06 00:30
NINE_TO_NOON = {"mon": [(9, 12)]}


def put(runtime: Runtime, person: uuid.UUID, days: dict[str, list[Interval]]) -> None:
    with runtime.sessions.begin() as session:
        found = session.get(Person, person)
        assert found is not None
        weekly_hours.replace(session, found, template(days), runtime.settings, NOW)


def clear(runtime: Runtime, person: uuid.UUID) -> None:
    with runtime.sessions.begin() as session:
        found = session.get(Person, person)
        assert found is not None
        weekly_hours.clear(session, found, runtime.settings, NOW)


def mondays(*hours: int, weeks: int = MONDAYS) -> set[datetime]:
    return {at(h + WEEK * w) for w in range(weeks) for h in hours}


def job(runtime: Runtime, kind: str, person: uuid.UUID,
        *spans: tuple[int, int]) -> dict[str, Any] | None:
    payload = {"person": str(person),
               "ranges": [[at(a).isoformat(), at(b).isoformat()] for a, b in spans]}
    row = job_row(runtime, run(runtime, kind, payload))
    assert row.status == "succeeded", row.error
    return row.result


def test_a_template_offers_its_hours_on_every_date_to_the_horizon(runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    assert hours_of(runtime, person) == mondays(9, 10, 11)
    with runtime.sessions() as session:
        row = session.get(WeeklyHours, person)
        assert row is not None and row.materialized_until == NOW - timedelta(minutes=30) + (
            timedelta(days=365))
        assert row.time_zone == "UTC"


def test_replacing_a_template_keeps_added_and_booked_hours(runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    job(runtime, "availability.add", person, (9, 10), (20, 21))
    book(runtime, person, 10)
    put(runtime, person, {"tue": [(9, 10)]})
    assert hours_of(runtime, person) == {at(9), at(10), at(20)} | {
        at(24 + 9 + WEEK * w) for w in range(MONDAYS)}


def test_adding_hours_the_template_offers_counts_them_as_already_present(
        runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    assert job(runtime, "availability.add", person, (9, 13)) == {"added": 1,
                                                                "already_present": 3}
    clear(runtime, person)
    assert hours_of(runtime, person) == {at(9), at(10), at(11), at(12)}  # added: they stay


def test_a_removed_weekly_hour_stays_removed_until_it_is_added_again(runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    assert job(runtime, "availability.remove", person, (10, 11)) == {"removed": 1,
                                                                     "not_present": 0}
    put(runtime, person, NINE_TO_NOON)
    clear(runtime, person)
    put(runtime, person, {"mon": [(8, 12)]})
    assert at(10) not in hours_of(runtime, person)
    assert at(10 + WEEK) in hours_of(runtime, person)  # an exception is for one date only

    assert job(runtime, "availability.add", person, (10, 11)) == {"added": 1,
                                                                 "already_present": 0}
    put(runtime, person, NINE_TO_NOON)
    assert at(10) in hours_of(runtime, person)
    with runtime.sessions() as session:
        assert session.scalars(select(AvailabilityException)).all() == []


def test_removing_an_hour_past_the_materialized_ones_is_remembered(runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    late = MONDAYS * WEEK  # Monday 2031-01-06: within the horizon a week later, not yet made
    job(runtime, "availability.remove", person, (late + 9, late + 10))
    with runtime.sessions.begin() as session:
        weekly_hours.roll_forward(session, runtime.settings, NOW + timedelta(days=7))
    assert {at(late + 10), at(late + 11)} <= hours_of(runtime, person)
    assert at(late + 9) not in hours_of(runtime, person)


def test_removing_an_added_hour_the_template_does_not_offer_records_no_exception(
        runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    job(runtime, "availability.add", person, (20, 21))
    job(runtime, "availability.remove", person, (20, 21))
    with runtime.sessions() as session:
        assert session.scalars(select(AvailabilityException)).all() == []


def test_a_booked_hour_the_template_no_longer_offers_goes_when_its_interview_does(
        runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    book(runtime, person, 10)
    clear(runtime, person)
    assert hours_of(runtime, person) == {at(10)}
    with runtime.sessions.begin() as session:
        interview = session.scalars(select(Interview)).one()
        interviews.cancel(session, interview, NOW, UTC)
    assert hours_of(runtime, person) == set()


def test_cancelling_keeps_a_booked_hour_the_template_still_offers(runtime: Runtime) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    book(runtime, person, 10)
    with runtime.sessions.begin() as session:
        interviews.cancel(session, session.scalars(select(Interview)).one(), NOW, UTC)
    assert hours_of(runtime, person) == mondays(9, 10, 11)


def test_rolling_forward_extends_each_template_to_the_new_horizon(runtime: Runtime) -> None:
    people = [add_person(runtime, name=f"P{n}") for n in range(3)]
    for person in people:
        put(runtime, person, NINE_TO_NOON)
    later = NOW + timedelta(days=7)
    with runtime.sessions.begin() as session:
        assert weekly_hours.roll_forward(session, runtime.settings, later, limit=2) == 2
    with runtime.sessions.begin() as session:
        assert weekly_hours.roll_forward(session, runtime.settings, later, limit=2) == 1
    with runtime.sessions.begin() as session:
        assert weekly_hours.roll_forward(session, runtime.settings, later, limit=2) == 0
    for person in people:
        assert hours_of(runtime, person) == mondays(9, 10, 11, weeks=MONDAYS + 1)


def test_the_sweep_rolls_templates_forward_as_days_pass(runtime: Runtime) -> None:
    clock = ManualClock(NOW)
    moving = make_runtime(runtime.settings.database_url, clock)
    try:
        person = add_person(moving)
        put(moving, person, NINE_TO_NOON)
        job(runtime, "availability.remove", person, (9, 10))
        for _ in range(14):
            clock.advance(timedelta(days=1).total_seconds())
            assert sweep(moving).rolled == 1
        assert sweep(moving).rolled == 0
    finally:
        moving.engine.dispose()
    assert hours_of(runtime, person) == mondays(9, 10, 11, weeks=MONDAYS + 2) - {at(9)}
    with runtime.sessions() as session:  # the exception has passed: pruned
        assert session.scalars(select(AvailabilityException)).all() == []


def test_the_template_is_read_in_the_persons_zone(runtime: Runtime) -> None:
    person = add_person(runtime)
    kolkata = replace(runtime.settings, calendar_tz="Asia/Kolkata")
    with runtime.sessions.begin() as session:
        found = session.get(Person, person)
        assert found is not None
        weekly_hours.replace(session, found, template({"mon": [(9, 17)]}), kolkata,
                             NOW)
    first = hours_of(runtime, person)
    monday_kolkata = at(-5) - timedelta(minutes=30)  # Monday 00:00 +05:30 is Sunday 18:30 UTC
    assert min(first) == monday_kolkata + 9 * HOUR
    assert len([h for h in first if h < at(WEEK)]) == 8


@pytest.mark.parametrize("booked", [True, False])
def test_deleting_a_template_leaves_no_hour_it_alone_gave(runtime: Runtime,
                                                          booked: bool) -> None:
    person = add_person(runtime)
    put(runtime, person, NINE_TO_NOON)
    if booked:
        book(runtime, person, 9)
    clear(runtime, person)
    with runtime.sessions() as session:
        rows = session.scalars(select(AvailabilityHour)).all()
        assert {(r.start, r.added, r.weekly) for r in rows} == (
            {(at(9), False, False)} if booked else set())
        assert session.get(WeeklyHours, person) is None


def test_a_changed_calendar_tz_makes_again_the_hours_of_people_who_follow_it(
        runtime: Runtime) -> None:
    follows, own = add_person(runtime, name="Follows"), add_person(runtime, name="Own")
    with runtime.sessions.begin() as session:
        found = session.get(Person, own)
        assert found is not None
        found.time_zone = "UTC"
    for person in (follows, own):
        put(runtime, person, NINE_TO_NOON)
    berlin = replace(runtime.settings, calendar_tz="Europe/Berlin")
    with runtime.sessions.begin() as session:
        assert weekly_hours.roll_forward(session, berlin, NOW) >= 1
    monday_berlin_nine = at(8)  # 09:00 in Berlin in January is 08:00 UTC
    assert min(hours_of(runtime, follows)) == monday_berlin_nine
    assert hours_of(runtime, own) == mondays(9, 10, 11)  # their own zone: unchanged
