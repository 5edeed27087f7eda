"""The zone a person's own times are read in (their weekly hours)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from models import Person
from workers.settings import Settings


def zone_of(person: Person, settings: Settings) -> ZoneInfo:
    """The person's time zone; until people carry one, the calendar's (`CALENDAR_TZ`)."""
    del person  # read once people have a `time_zone` (SPEC §5 "People, continued")
    return settings.tz
