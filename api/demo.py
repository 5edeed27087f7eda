"""Demo data: interviewers and candidates in a few time zones, each with weekly hours, and one
interviewer's own calendar (an upload of recurring meetings) that makes some of them busy."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from models import CalendarFeed, Person, make_engine, make_session_factory
from models.migrate import upgrade
from scheduling.weekly import DAYS, Interval, template
from workers import api_keys, calendar_reads, weekly_hours
from workers.addresses import resolve
from workers.settings import Settings

PEOPLE = [
    ("Ada Lovelace", "ada@demo.example", "interviewer", "Europe/London"),
    ("Grace Hopper", "grace@demo.example", "interviewer", "America/New_York"),
    ("Alan Turing", "alan@demo.example", "interviewer", "Europe/Berlin"),
    ("Edsger Dijkstra", "edsger@demo.example", "candidate", "Europe/Amsterdam"),
    ("Barbara Liskov", "barbara@demo.example", "candidate", "America/New_York"),
    ("Donald Knuth", "donald@demo.example", "candidate", "America/Los_Angeles"),
    ("Frances Allen", "frances@demo.example", "candidate", "Asia/Kolkata"),
]
WORKDAYS = DAYS[:5]
WITH_A_CALENDAR = "ada@demo.example"


def meetings(now: datetime) -> bytes:
    """A stand-up every weekday at 09:30 and a weekly review on Wednesdays at 14:00, in London,
    as calendar apps export them."""
    monday = (now - timedelta(days=now.weekday())).strftime("%Y%m%d")
    wednesday = (now - timedelta(days=now.weekday() - 2)).strftime("%Y%m%d")
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interview Calendar//demo//EN",
        "BEGIN:VEVENT", "UID:standup@demo.example", f"DTSTAMP:{monday}T000000Z",
        f"DTSTART;TZID=Europe/London:{monday}T093000",
        f"DTEND;TZID=Europe/London:{monday}T094500", "SUMMARY:Stand-up",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "END:VEVENT",
        "BEGIN:VEVENT", "UID:review@demo.example", f"DTSTAMP:{monday}T000000Z",
        f"DTSTART;TZID=Europe/London:{wednesday}T140000",
        f"DTEND;TZID=Europe/London:{wednesday}T150000", "SUMMARY:Design review",
        "RRULE:FREQ=WEEKLY", "END:VEVENT", "END:VCALENDAR", ""]).encode()


def working_week(rng: random.Random) -> dict[str, list[Interval]]:
    """Mornings or afternoons of working hours, on three to five weekdays."""
    halves = [(9, 12), (13, 17)]
    return {day: [half for half in halves if rng.random() < 0.7]
            for day in rng.sample(WORKDAYS, rng.randint(3, 5))}


def load(settings: Settings, now: datetime) -> Iterator[str]:
    """Create the demo people (skipping existing ones) and yield a line per person."""
    if settings.embedded:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    rng = random.Random(7)
    uploads = []
    with sessions.begin() as session:
        for name, email, role, zone in PEOPLE:
            if session.scalar(select(Person.id).where(Person.email_key == email)):
                yield f"{role:<11} {name:<16} already present"
                continue
            person = Person(name=name, email=email, email_key=email, role=role, time_zone=zone)
            session.add(person)
            session.flush()
            key = api_keys.issue(session, role, now, person_id=person.id, label=email)
            weekly_hours.replace(session, person, template(working_week(rng)), settings, now)
            if email == WITH_A_CALENDAR:
                uploads.append(CalendarFeed(person_id=person.id, ics=meetings(now),
                                            created_at=now, next_sync_at=now))
            yield f"{role:<11} {name:<16} {zone:<19} id={person.id} api_key={key}"
        session.add_all(uploads)
    for upload in uploads:  # read as a job would, now: the demo shows its busy hours at once
        calendar_reads.refresh(sessions, settings, resolve, now, upload.id)
    engine.dispose()
