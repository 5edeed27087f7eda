"""Demo data: interviewers and candidates in a few time zones, each with weekly hours."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from models import Person, make_engine, make_session_factory
from models.migrate import upgrade
from scheduling.weekly import DAYS, Interval, template
from workers import api_keys, weekly_hours
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
    rng = random.Random(7)
    with make_session_factory(engine).begin() as session:
        for name, email, role, zone in PEOPLE:
            if session.scalar(select(Person.id).where(Person.email_key == email)):
                yield f"{role:<11} {name:<16} already present"
                continue
            person = Person(name=name, email=email, email_key=email, role=role, time_zone=zone)
            session.add(person)
            session.flush()
            key = api_keys.issue(session, role, now, person_id=person.id, label=email)
            weekly_hours.replace(session, person, template(working_week(rng)), settings, now)
            yield f"{role:<11} {name:<16} {zone:<19} id={person.id} api_key={key}"
    engine.dispose()
