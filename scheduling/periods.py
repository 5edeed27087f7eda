"""An interviewer's own days and weeks (Monday to Sunday, in their zone): what their load caps
count interviews in (SPEC §5). An interview counts in the day and the week of its start.

A period is named by its cap and its first local date, and turned into UTC bounds only where
they are stored: a match groups hundreds of thousands of free hours by period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

DAY, WEEK = "max_interviews_per_day", "max_interviews_per_week"

Period = tuple[str, date]  # (cap, its first local date)


def of(cap: str, local: date) -> Period:
    """The period of `cap` holding the local date."""
    return cap, local - timedelta(days=local.weekday()) if cap == WEEK else local


def containing(cap: str, hour: datetime, zone: tzinfo) -> Period:
    """The period of `cap` holding the instant `hour`, read in `zone`."""
    return of(cap, hour.astimezone(zone).date())


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The first instant of a local date: a midnight that a daylight-saving change skips
    starts the day at the change (zoneinfo reads the missing time with the earlier offset)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def bounds(period: Period, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the period in `zone`."""
    cap, first = period
    return _midnight(first, zone), _midnight(first + timedelta(days=7 if cap == WEEK else 1),
                                             zone)
