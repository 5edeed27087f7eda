"""The zone a person's own times are read in (their weekly hours)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models import Person
from workers.settings import Settings


def zone_of(person: Person, settings: Settings) -> ZoneInfo:
    """The person's `time_zone`, or the calendar's (`CALENDAR_TZ`) when they have none."""
    return ZoneInfo(person.time_zone) if person.time_zone else settings.tz
