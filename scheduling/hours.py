"""The hour model: one-hour slots that start on the hour in the calendar's time zone.

Every instant here is a timezone-aware datetime; results are in UTC. An hour is identified by
its start. In a zone whose offset is a whole number of hours plus a fixed number of minutes
(Asia/Kolkata is +05:30), local hour starts are exactly one hour apart in UTC, also across DST
changes, so a range [start, end) that starts and ends on the hour covers (end - start) / 1 h
hours: 23 on a spring-forward day, 25 on a fall-back day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

HOUR = timedelta(hours=1)
DEFAULT_HORIZON = timedelta(days=365)


@dataclass(frozen=True, order=True)
class Range:
    """A half-open interval [start, end) of whole hours, in UTC."""

    start: datetime
    end: datetime

    @property
    def hours(self) -> int:
        return (self.end - self.start) // HOUR

    def starts(self) -> Iterator[datetime]:
        """Yield the start of every hour in the range."""
        for k in range(self.hours):
            yield self.start + k * HOUR


def to_utc(value: datetime, tz: tzinfo) -> datetime:
    """Read a naive datetime in `tz`; keep an aware one's offset. Returns UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def is_on_the_hour(value: datetime, tz: tzinfo) -> bool:
    local = value.astimezone(tz)
    return local.minute == 0 and local.second == 0 and local.microsecond == 0


def floor_hour(value: datetime, tz: tzinfo) -> datetime:
    """The start (UTC) of the calendar hour that contains `value`.

    The minutes past the local hour are subtracted from the instant, not from the wall-clock
    time: wall-clock arithmetic drops `fold`, so in the repeated hour of a fall-back night it
    would land on the first 02:00 instead of the second.
    """
    local = value.astimezone(tz)
    return value.astimezone(UTC) - timedelta(minutes=local.minute, seconds=local.second,
                                             microseconds=local.microsecond)


@lru_cache(maxsize=64)
def next_full_hour(now: datetime, tz: tzinfo) -> datetime:
    """The earliest hour that has not begun: an hour that started at `now` exactly has begun.
    Remembered: a request asks it once per range, all at its one `now`."""
    return floor_hour(now, tz) + HOUR


def starts_in(start: datetime, end: datetime, tz: tzinfo) -> Iterator[datetime]:
    """The start of every calendar hour that begins in [start, end)."""
    at = start.astimezone(UTC) if is_on_the_hour(start, tz) else next_full_hour(start, tz)
    while at < end:
        yield at
        at += HOUR


def range_problem(
    rng: Range, *, now: datetime, tz: tzinfo, horizon: timedelta = DEFAULT_HORIZON
) -> str | None:
    """Why `rng` cannot be published as availability, or None when it can."""
    if not is_on_the_hour(rng.start, tz):
        return "start is not on the hour"
    if not is_on_the_hour(rng.end, tz):
        return "end is not on the hour"
    if rng.end <= rng.start:
        return "end must be after start"
    if rng.start < next_full_hour(now, tz):
        return "start is in the past (the earliest allowed start is the next full hour)"
    if rng.end > now + horizon:
        return f"end is beyond the horizon of {horizon.days} days"
    return None


def merge(hours: Iterable[datetime]) -> list[Range]:
    """Merge hour starts into the fewest sorted ranges; duplicates are ignored."""
    ranges: list[Range] = []
    for start in sorted(set(hours)):
        if ranges and ranges[-1].end == start:
            ranges[-1] = Range(ranges[-1].start, start + HOUR)
        else:
            ranges.append(Range(start, start + HOUR))
    return ranges



def merge_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Merge overlapping or touching ranges without expanding them into hours."""
    merged: list[Range] = []
    for rng in sorted(ranges):
        if merged and rng.start <= merged[-1].end:
            if rng.end > merged[-1].end:
                merged[-1] = Range(merged[-1].start, rng.end)
        else:
            merged.append(rng)
    return merged
