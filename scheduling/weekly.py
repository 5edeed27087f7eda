"""Weekly hours: a person's template of local working hours, and the calendar hours it offers.

A template gives, for each weekday, intervals of whole local hours [start, end) with
0 <= start < end <= 24, read in the person's zone Z. Its offered local time O is the union, over
every date, of those intervals placed on that date's wall clock; an interval ending at 24:00
touches the next date's interval starting at 00:00, so the two are one stretch of wall time.

A calendar hour [h, h + 1 h) (h on the hour in the calendar's zone) is offered when every instant
t of it, read as wall time in Z, lies in O. Wall time is piecewise a shift of t, so the hour maps
to one wall interval, or to two when Z changes its offset inside the hour, and the rule asks each
of them to lie in O. Hence, exactly:
- a gap (wall times that do not exist, e.g. 02:00-03:00 when Berlin springs forward) is never
  reached by any instant, so whether the template offers it does not matter;
- a fold (wall times that happen twice, e.g. 02:00-03:00 when Berlin falls back) is reached by
  two calendar hours, and both count when the template offers it;
- a half-hour shift (Australia/Lord_Howe) can split an hour into two half-hours of wall time,
  and both must be offered.

Offsets are read from the zone at both ends of the hour; where they differ, the instant of the
change is found by bisection to the microsecond. This assumes, as the tz database does for
every zone, that an offset changes at most once within one hour. Like scheduling.hours, it
assumes the calendar zone's hour starts are one hour apart in UTC.

Complexity: O(D * I + H * log(D * I)) for a window of D days, I intervals per day and H hours,
plus about 32 offset reads for each hour in which the offset changes (two a year).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from scheduling.hours import HOUR, floor_hour

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MICROSECOND = timedelta(microseconds=1)

Interval = tuple[int, int]


@dataclass(frozen=True)
class Template:
    """Merged intervals of whole local hours for each weekday, Monday first."""

    days: tuple[tuple[Interval, ...], ...]

    def as_dict(self) -> dict[str, list[Interval]]:
        """The days that have hours, by key (`mon` … `sun`)."""
        return {key: list(found) for key, found in zip(DAYS, self.days, strict=True) if found}


def merge_day(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Merge overlapping or touching intervals of one day."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if not 0 <= start < end <= 24:
            raise ValueError(f"interval {start}-{end} is not within 0-24 with end after start")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def template(days: Mapping[str, Iterable[Interval]]) -> Template:
    """A template from `{mon: [(9, 12), ...], ...}`; omitted days have no hours."""
    unknown = set(days) - set(DAYS)
    if unknown:
        raise ValueError(f"unknown day {sorted(unknown)[0]!r}")
    return Template(tuple(merge_day(days.get(key, ())) for key in DAYS))


def _wall(instant: datetime, offset: timedelta) -> datetime:
    return instant.replace(tzinfo=None) + offset


def _offset(instant: datetime, zone: tzinfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None  # an aware zone always has one
    return offset


def _local_stretches(tmpl: Template, first: datetime,
                     last: datetime) -> tuple[list[datetime], list[datetime]]:
    """The offered wall time O between the dates of `first` and `last` (naive wall times),
    as sorted disjoint stretches: their starts and their ends."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    day = first.date()
    while day <= last.date():
        midnight = datetime.combine(day, time())
        for start, end in tmpl.days[day.weekday()]:
            begin = midnight + timedelta(hours=start)
            if ends and ends[-1] == begin:  # 24:00 joins the next day's 00:00
                ends[-1] = midnight + timedelta(hours=end)
            else:
                starts.append(begin)
                ends.append(midnight + timedelta(hours=end))
        day += timedelta(days=1)
    return starts, ends


def _inside(starts: Sequence[datetime], ends: Sequence[datetime], begin: datetime,
            end: datetime) -> bool:
    """Whether the wall interval [begin, end) lies inside one offered stretch."""
    k = bisect_right(starts, begin) - 1
    return k >= 0 and ends[k] >= end


def _change(start: datetime, end: datetime, zone: tzinfo) -> datetime:
    """The first instant in (start, end] with the offset of `end`: the zone's change."""
    after = _offset(end, zone)
    low, high = start, end  # offset(low) differs from `after`, offset(high) equals it
    while high - low > MICROSECOND:
        middle = low + (high - low) // 2
        if _offset(middle, zone) == after:
            high = middle
        else:
            low = middle
    return high


def _hour_offered(hour: datetime, zone: tzinfo, starts: Sequence[datetime],
                  ends: Sequence[datetime]) -> bool:
    last = hour + HOUR - MICROSECOND
    before, after = _offset(hour, zone), _offset(last, zone)
    if before == after:
        return _inside(starts, ends, _wall(hour, before), _wall(hour + HOUR, before))
    change = _change(hour, last, zone)
    return (_inside(starts, ends, _wall(hour, before), _wall(change, before))
            and _inside(starts, ends, _wall(change, after), _wall(hour + HOUR, after)))


def offers(tmpl: Template, zone: tzinfo, hours: Sequence[datetime]) -> list[datetime]:
    """Those of `hours` (hour starts, sorted) that `tmpl`, read in `zone`, offers: every
    instant of the hour falls in offered local time. See the module's docstring."""
    if not any(tmpl.days) or not hours:
        return []
    margin = timedelta(days=2)  # wider than any UTC offset
    first, last = hours[0].astimezone(UTC), hours[-1].astimezone(UTC)
    starts, ends = _local_stretches(tmpl, _wall(first, -margin), _wall(last, margin))
    return [h for h in hours if _hour_offered(h.astimezone(UTC), zone, starts, ends)]


def offered_hours(tmpl: Template, zone: tzinfo, start: datetime, end: datetime,
                  calendar_tz: tzinfo) -> list[datetime]:
    """The starts (UTC, on the hour in `calendar_tz`) of the hours beginning in [start, end)
    that `tmpl`, read in `zone`, offers. Sorted, without duplicates."""
    hour = floor_hour(start, calendar_tz)
    if hour < start:
        hour += HOUR
    count = max(0, -((hour - end) // HOUR))  # the hours starting in [hour, end)
    return offers(tmpl, zone, [hour + k * HOUR for k in range(count)])
