"""A person's interviews as an iCalendar feed (RFC 5545)."""

from __future__ import annotations

import uuid

from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Interview, Person
from workers import interviews, resources


def uid(interview: uuid.UUID) -> str:
    """An interview's UID in every feed (and how people's own calendars recognise it)."""
    return f"{interview}@interview-calendar"


def feed(session: Session, person: Person) -> bytes:
    """Every interview `person` sits in, titled by its title, else by the candidate's name
    for an interviewer."""
    rows = list(session.scalars(select(Interview).where(
        Interview.id.in_(interviews.of_person(person.id))).order_by(Interview.start)))
    panels = resources.panels(session, rows)
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(
        {i.candidate_id for i in rows} | {uuid.UUID(p) for ps in panels.values()
                                          for p in ps}))).all())
    calendar = Calendar()
    calendar.add("prodid", "-//Interview Calendar//EN")
    calendar.add("version", "2.0")
    # A text value, escaped: an unknown property's plain string would be written as it is,
    # and a name may hold line breaks.
    calendar.add("x-wr-calname", vText(f"Interviews: {person.name}"))
    for interview in rows:
        event = Event()
        # One UID for the interview's life and a SEQUENCE raised by each change: a calendar
        # replaces its copy of a moved interview instead of showing both. Without a METHOD,
        # DTSTAMP is when the event last changed (RFC 5545 3.8.7.2), as LAST-MODIFIED is.
        changed = interview.modified_at or interview.created_at
        event.add("uid", uid(interview.id))
        event.add("sequence", interview.sequence)
        event.add("dtstamp", changed)
        event.add("created", interview.created_at)
        event.add("last-modified", changed)
        event.add("dtstart", interview.start)
        event.add("dtend", interview.end)
        panel = ", ".join(names.get(uuid.UUID(p), p) for p in sorted(panels[interview.id]))
        event.add("summary", interview.title or (
            f"Interview: {names.get(interview.candidate_id, '')}"
            if person.role == "interviewer" else "Interview"))
        event.add("description", f"Panel: {panel}")
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
