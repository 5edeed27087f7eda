"""Changing a booked interview: its hour, its panel, its title, in one transaction.

The caller's lock on the interview row makes changes of one interview take turns, each reading
the participants the one before it left. A person who keeps their hour keeps their participant
row, so their own (person, hour) never stands in the way; everyone else must be free at the
hour, and the unique (person, hour) constraint decides a race with any other booking or move:
the loser's savepoint rolls back and it answers 409, changing nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Interview, InterviewParticipant
from scheduling.hours import HOUR, next_full_hour
from workers import caps, events, interviews, people, resources, weekly_hours
from workers.callers import Caller
from workers.errors import Invalid
from workers.free_hours import who_is_not_free

Seat = tuple[uuid.UUID, datetime]  # a person at an hour: one participant row


def reschedule(session: Session, interview: Interview, *, start: datetime,
               interviewers: Sequence[uuid.UUID], title: str | None, now: datetime,
               tz: tzinfo, override_caps: bool = False) -> Interview:
    """Give the interview (locked by the caller) this hour, panel and title, with its
    `interview.rescheduled` event and a raised SEQUENCE; a change that changes nothing does
    nothing. Raise NotFree, with nothing written, when someone new to the hour is not free,
    and CapReached when the hour would take an interviewer new to it past a load cap (this
    interview not counted), unless `override_caps`, as for a booking."""
    before: set[Seat] = {(person, hour) for person, hour in session.execute(
        select(InterviewParticipant.person_id, InterviewParticipant.start)
        .where(InterviewParticipant.interview_id == interview.id))}
    after = {(person, start) for person in (interview.candidate_id, *interviewers)}
    if after == before and title == interview.title:
        return interview
    if after != before:
        arriving = [person for person in interviewers if (person, start) not in before]
        if not override_caps and (full := caps.passed(session, arriving, start, tz,
                                                      ignoring=interview.id)):
            raise interviews.CapReached(start, full)
        _reseat(session, interview.id, before, after, start)
        caps.refresh(session, {person for person, _ in before | after}, tz, now)
    interview.start, interview.end, interview.title = start, start + HOUR, title
    interview.sequence += 1
    interview.modified_at = now
    session.flush()
    events.record(session, "interview.rescheduled", resources.interviews(session, [interview]),
                  now=now)
    return interview


def _reseat(session: Session, interview: uuid.UUID, before: set[Seat], after: set[Seat],
            start: datetime) -> None:
    """Replace the participant rows `before` by `after`; the hours left go as after a cancel."""
    arriving = sorted(person for person, _ in after - before)
    if taken := who_is_not_free(session, arriving, start):
        raise interviews.NotFree(start, taken)
    leaving = before - after
    try:
        with session.begin_nested():
            if leaving:
                session.execute(delete(InterviewParticipant).where(
                    InterviewParticipant.interview_id == interview,
                    tuple_(InterviewParticipant.person_id,
                           InterviewParticipant.start).in_(leaving)))
            if arriving:
                session.execute(insert(InterviewParticipant), [
                    {"interview_id": interview, "person_id": person, "start": start}
                    for person in arriving])
    except IntegrityError:
        taken = who_is_not_free(session, arriving, start) or [str(p) for p in arriving]
        raise interviews.NotFree(start, taken) from None
    weekly_hours.drop_unoffered(session, leaving)


def reschedule_requested(session: Session, caller: Caller, raw_id: str,
                         changes: dict[str, Any], *, now: datetime, tz: tzinfo,
                         override_caps: bool = False) -> Interview:
    """Apply what a coordinator asked for (`start`, `interviewers`, `title`, each optional)
    to the interview, locked first: a new hour on the hour and not past, interviewers who
    are interviewers, nobody twice; an interview that has begun keeps its hour and panel."""
    interview = interviews.visible(session, raw_id, caller, with_for_update=True,
                                   populate_existing=True)
    start: datetime = changes.get("start", interview.start)
    seated = {uuid.UUID(p) for p in resources.panels(session, [interview])[interview.id]}
    panel = sorted(seated)
    if "interviewers" in changes:
        panel = people.of_roles(session, interviews.panel_wanted(changes["interviewers"]),
                                caller)
        interviews.require_distinct(panel)
    if start != interview.start:
        interviews.require_bookable(start, now, tz)
    elif set(panel) != seated and interview.start < next_full_hour(now, tz):
        raise Invalid("interviewers", "the interview has begun: its panel no longer changes")
    return reschedule(session, interview, start=start, interviewers=panel,
                      title=changes.get("title", interview.title), now=now, tz=tz,
                      override_caps=override_caps)
