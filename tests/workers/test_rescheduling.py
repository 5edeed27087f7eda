"""Changing a booked interview on PostgreSQL and SQLite: who must be free, which participant
rows and hours change, the SEQUENCE and the event."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from models import (
    BusyHour,
    CalendarFeed,
    Interview,
    InterviewParticipant,
    Person,
    Webhook,
    WebhookDelivery,
)
from scheduling.weekly import template
from tests.workers.support import add_hours, add_person, at, hours_of
from workers import interviews, signing, weekly_hours
from workers.queue.runtime import Runtime
from workers.rescheduling import reschedule

NOW = at(-24) + timedelta(minutes=30)  # Sunday 2030-01-06 00:30 UTC; CALENDAR_TZ is UTC
LATER = NOW + timedelta(minutes=5)
KEEP = "keep"


def seats(runtime: Runtime, interview: uuid.UUID) -> set[tuple[uuid.UUID, datetime]]:
    with runtime.sessions() as session:
        return {(person, hour) for person, hour in session.execute(
            select(InterviewParticipant.person_id, InterviewParticipant.start)
            .where(InterviewParticipant.interview_id == interview))}


def stored(runtime: Runtime, interview: uuid.UUID) -> Interview:
    with runtime.sessions() as session:
        return session.get_one(Interview, interview)


def booked(runtime: Runtime, candidate: uuid.UUID, panel: list[uuid.UUID], hour: int,
           title: str | None = None) -> uuid.UUID:
    with runtime.sessions.begin() as session:
        return interviews.book(session, candidate, panel, at(hour), NOW, runtime.settings.tz,
                               title=title).id


def move(runtime: Runtime, interview: uuid.UUID, hour: int, panel: list[uuid.UUID],
         title: str | None = KEEP) -> Interview:
    """Give the interview this hour and panel (and title, unless KEEP), as a request would."""
    with runtime.sessions.begin() as session:
        found = session.get_one(Interview, interview, with_for_update=True)
        return reschedule(session, found, start=at(hour), interviewers=panel,
                          title=found.title if title == KEEP else title, now=LATER,
                          tz=runtime.settings.tz)


def busy(runtime: Runtime, person: uuid.UUID, hour: int) -> None:
    """The person's own calendar has a meeting at the hour."""
    with runtime.sessions.begin() as session:
        feed = CalendarFeed(person_id=person, ics=b"", created_at=NOW, next_sync_at=NOW)
        session.add(feed)
        session.flush()
        session.add(BusyHour(calendar_id=feed.id, start=at(hour), person_id=person))


def listening(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        session.add(Webhook(url="https://hooks.example.com/a", events=["interview.rescheduled"],
                            secret=signing.new_secret(), created_at=NOW))


def announced(runtime: Runtime) -> list[dict[str, object]]:
    with runtime.sessions() as session:
        return [json.loads(body) for body in session.scalars(
            select(WebhookDelivery.body).where(WebhookDelivery.type == "interview.rescheduled"))]


def trio(runtime: Runtime, *hours: int) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A candidate and two interviewers, each with `hours`."""
    people = (add_person(runtime, "candidate", "Cam"), add_person(runtime, name="Ann"),
              add_person(runtime, name="Bo"))
    for person in people:
        add_hours(runtime, person, *hours)
    return people


def test_a_move_frees_the_old_hour_books_the_new_one_and_is_announced(runtime: Runtime) -> None:
    cand, ann, bo = trio(runtime, 1, 2)
    listening(runtime)
    interview = booked(runtime, cand, [ann, bo], 1)

    move(runtime, interview, 2, [ann, bo])

    assert seats(runtime, interview) == {(cand, at(2)), (ann, at(2)), (bo, at(2))}
    row = stored(runtime, interview)
    assert (row.start, row.end, row.sequence, row.modified_at) == (at(2), at(3), 1, LATER)
    assert hours_of(runtime, ann) == {at(1), at(2)}  # an added hour stays, free again
    [event] = announced(runtime)
    assert event["data"] == {"id": str(interview), "candidate": str(cand),
                             "interviewers": sorted([str(ann), str(bo)]),
                             "start": "2030-01-07T02:00:00Z", "end": "2030-01-07T03:00:00Z",
                             "title": None}
    assert booked(runtime, cand, [ann, bo], 1)  # the old hour takes a booking


@pytest.mark.parametrize("reason", ["booked", "busy", "not offered"])
def test_a_move_to_an_hour_someone_is_not_free_changes_nothing(runtime: Runtime,
                                                               reason: str) -> None:
    cand, ann, bo = trio(runtime, 1, 2)
    interview = booked(runtime, cand, [ann], 1, title="Systems")
    hour = 3 if reason == "not offered" else 2
    if reason == "booked":
        other = add_person(runtime, "candidate")
        add_hours(runtime, other, 2)
        booked(runtime, other, [bo], 2)
    elif reason == "busy":
        busy(runtime, bo, 2)
    else:
        add_hours(runtime, cand, 3)
        add_hours(runtime, ann, 3)
    before = seats(runtime, interview)

    with pytest.raises(interviews.NotFree, match=str(bo)):
        move(runtime, interview, hour, [ann, bo], title="Moved")

    assert seats(runtime, interview) == before
    row = stored(runtime, interview)
    assert (row.start, row.title, row.sequence, row.modified_at) == (at(1), "Systems", 0, None)


def test_a_panel_change_keeps_the_hour_of_everyone_who_stays(runtime: Runtime) -> None:
    cand, ann, bo = trio(runtime, 1)
    interview = booked(runtime, cand, [ann], 1)
    busy(runtime, cand, 1)  # a clash in the candidate's calendar does not block their own seat

    move(runtime, interview, 1, [bo])

    assert seats(runtime, interview) == {(cand, at(1)), (bo, at(1))}
    assert stored(runtime, interview).sequence == 1
    other = add_person(runtime, "candidate")
    add_hours(runtime, other, 1)
    assert booked(runtime, other, [ann], 1)  # Ann is free again


def test_a_smaller_panel_frees_the_hour_of_who_leaves_it(runtime: Runtime) -> None:
    cand, ann, bo = trio(runtime, 1)
    interview = booked(runtime, cand, [ann, bo], 1)

    move(runtime, interview, 1, [ann])

    assert seats(runtime, interview) == {(cand, at(1)), (ann, at(1))}
    other = add_person(runtime, "candidate")
    add_hours(runtime, other, 1)
    assert booked(runtime, other, [bo], 1)


def test_a_title_change_raises_the_sequence_and_moves_nobody(runtime: Runtime) -> None:
    cand, ann, _ = trio(runtime, 1)
    interview = booked(runtime, cand, [ann], 1)
    listening(runtime)

    move(runtime, interview, 1, [ann], title="Pairing")

    assert seats(runtime, interview) == {(cand, at(1)), (ann, at(1))}
    row = stored(runtime, interview)
    assert (row.title, row.sequence, row.modified_at) == ("Pairing", 1, LATER)
    assert [e["data"]["title"] for e in announced(runtime)] == ["Pairing"]  # type: ignore[index]


def test_a_change_that_changes_nothing_does_nothing(runtime: Runtime) -> None:
    cand, ann, bo = trio(runtime, 1)
    interview = booked(runtime, cand, [ann, bo], 1, title="Loop")
    listening(runtime)

    move(runtime, interview, 1, [bo, ann])

    row = stored(runtime, interview)
    assert (row.sequence, row.modified_at) == (0, None)
    assert announced(runtime) == []


def test_an_hour_only_the_interview_kept_goes_with_the_move(runtime: Runtime) -> None:
    """As after a cancel: the hour the template no longer offers was kept for the booking."""
    cand, ann = add_person(runtime, "candidate"), add_person(runtime)
    with runtime.sessions.begin() as session:
        weekly_hours.replace(session, session.get_one(Person, ann), template({"mon": [(9, 12)]}),
                             runtime.settings, NOW)
    add_hours(runtime, cand, 10, 13)
    add_hours(runtime, ann, 13)
    interview = booked(runtime, cand, [ann], 10)
    with runtime.sessions.begin() as session:
        weekly_hours.clear(session, session.get_one(Person, ann), runtime.settings, NOW)
    assert hours_of(runtime, ann) == {at(10), at(13)}

    move(runtime, interview, 13, [ann])

    assert hours_of(runtime, ann) == {at(13)}
    assert hours_of(runtime, cand) == {at(10), at(13)}  # added by hand: it stays
