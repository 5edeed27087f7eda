"""The zone a person's own times are read in (their weekly hours, calendars and caps)."""

from __future__ import annotations

from datetime import tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo

from models import Person

Zone = TypeVar("Zone", bound=tzinfo)


def zone_of(person: Person, calendar_tz: Zone) -> ZoneInfo | Zone:
    """The person's `time_zone`, or the calendar's (`CALENDAR_TZ`) when they have none."""
    return ZoneInfo(person.time_zone) if person.time_zone else calendar_tz
