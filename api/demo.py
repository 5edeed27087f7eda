"""Demo data: a few interviewers and candidates with working-hour availability next week."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Person, make_engine, make_session_factory
from models.migrate import upgrade
from scheduling.hours import Range, next_full_hour
from workers import api_keys, availability
from workers.settings import Settings

PEOPLE = [
    ("Ada Lovelace", "ada@demo.example", "interviewer"),
    ("Grace Hopper", "grace@demo.example", "interviewer"),
    ("Alan Turing", "alan@demo.example", "interviewer"),
    ("Edsger Dijkstra", "edsger@demo.example", "candidate"),
    ("Barbara Liskov", "barbara@demo.example", "candidate"),
    ("Donald Knuth", "donald@demo.example", "candidate"),
    ("Frances Allen", "frances@demo.example", "candidate"),
]


def working_hours(now: datetime, settings: Settings, rng: random.Random) -> list[Range]:
    """A random half of 9:00–17:00 on each of the next five weekdays, in CALENDAR_TZ."""
    tz = settings.tz
    day = next_full_hour(now, tz).astimezone(tz).date() + timedelta(days=1)
    ranges, weekdays = [], 0
    while weekdays < 5:
        if day.weekday() < 5:
            weekdays += 1
            for hour in range(9, 17):
                if rng.random() < 0.5:
                    start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
                    ranges.append(Range(start, start + timedelta(hours=1)))
        day += timedelta(days=1)
    return ranges


def load(settings: Settings, now: datetime) -> Iterator[str]:
    """Create the demo people (skipping existing ones) and yield a line per person."""
    if settings.embedded:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    rng = random.Random(7)
    with make_session_factory(engine).begin() as session:
        for name, email, role in PEOPLE:
            if session.scalar(select(Person.id).where(Person.email_key == email)):
                yield f"{role:<11} {name:<16} already present"
                continue
            person = Person(name=name, email=email, email_key=email, role=role)
            session.add(person)
            session.flush()
            key = api_keys.issue(session, role, now, person_id=person.id, label=email)
            ranges = working_hours(now, settings, rng)
            availability.add(session, availability.change_payload(person.id, ranges), now)
            yield f"{role:<11} {name:<16} id={person.id} api_key={key}"
    engine.dispose()
