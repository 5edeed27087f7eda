"""An interviewer's own days and weeks (Monday to Sunday, in their zone), as UTC bounds: what
their load caps count interviews in (SPEC §5). An interview counts in the day and the week of
its start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

DAY, WEEK = "max_interviews_per_day", "max_interviews_per_week"


def _midnight(day: datetime, zone: tzinfo) -> datetime:
    """The first instant of a local date: a midnight that a daylight-saving change skips
    starts the day at the change (zoneinfo reads the missing time with the earlier offset)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def period(cap: str, hour: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local day (cap DAY) or week (cap WEEK) holding `hour`."""
    local = hour.astimezone(zone)
    first = local - timedelta(days=local.weekday() if cap == WEEK else 0)
    days = 7 if cap == WEEK else 1
    return _midnight(first, zone), _midnight(first + timedelta(days=days), zone)
