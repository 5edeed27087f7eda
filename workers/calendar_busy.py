"""The busy hours of an iCalendar feed (SPEC §5, Calendars): which calendar hours a person's own
meetings block, from the text of their feed.

The hard parts are the field's libraries': `icalendar` parses (and reads a `TZID` that names an
IANA or a Windows zone, or the file's own `VTIMEZONE`), `recurring-ical-events` expands `RRULE`,
`RDATE`, `EXDATE` and moved instances (`RECURRENCE-ID`), and applies Google's `X-WR-TIMEZONE`
through `x-wr-timezone`. What is ours is which events block and how an event becomes hours:
- an event blocks unless it is `TRANSP:TRANSPARENT`, `STATUS:CANCELLED`, declined by the person
  (an `ATTENDEE` with their email and `PARTSTAT=DECLINED`), or one of this service's own
  interviews (its UID: subscribing `interviews.ics` must not block the interview itself);
- a floating time is the person's wall clock; an all-day event is the person's local day(s);
- an hour (on the hour in CALENDAR_TZ) is busy when an event overlaps it, even partly; an event
  of zero duration overlaps nothing.
A feed is bounded: at most MAX_EVENTS VEVENTs and MAX_OCCURRENCES expanded instances in the
window (a `FREQ=SECONDLY` rule must not become a CPU bomb); past either the read fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Event

from scheduling.hours import HOUR, floor_hour
from workers.errors import Invalid

MAX_EVENTS = 100_000
MAX_OCCURRENCES = 50_000  # in the window: 130 daily meetings for a year; about 4 s to expand
VEVENT = re.compile(rb"^BEGIN:VEVENT\r?$", re.IGNORECASE | re.MULTILINE)
FIELD = "calendar"


@dataclass(frozen=True)
class Busy:
    """What one read of a feed found: its VEVENTs (overridden instances included) and the busy
    hours (UTC, sorted) in the window."""

    events: int
    hours: list[datetime]


@dataclass(frozen=True)
class Reader:
    """Whose feed it is and the window asked: the person's zone and email, the calendar's zone,
    the UIDs to ignore, [start, end)."""

    zone: tzinfo
    calendar_tz: tzinfo
    email: str
    own_uids: frozenset[str]
    start: datetime
    end: datetime


def busy_hours(ics: bytes, reader: Reader) -> Busy:
    """The busy hours of the feed `ics` for `reader`; Invalid (422) when it is not iCalendar or
    is past a bound."""
    events = len(VEVENT.findall(ics))  # counted before parsing, which costs far more
    if events > MAX_EVENTS:
        raise Invalid(FIELD, f"{events:,} events; at most {MAX_EVENTS:,} are read")
    calendar = _parse(ics)
    hours: set[datetime] = set()
    occurrences = 0
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        for event in query.after(reader.start):
            if not isinstance(event, Event):
                continue
            start, end = _span(event, reader.zone)
            if start >= reader.end:
                break
            occurrences += 1
            if occurrences > MAX_OCCURRENCES:
                raise Invalid(FIELD, f"more than {MAX_OCCURRENCES:,} event instances in the "
                                     "window; a rule repeats too often to be read")
            if _blocks(event, reader):
                hours.update(_overlapped(start, end, reader))
    except Invalid:
        raise
    except Exception as exc:  # the libraries' own errors: a feed they cannot make sense of
        raise Invalid(FIELD, f"the calendar could not be read: {exc}") from None
    return Busy(events, sorted(hours))


def _parse(ics: bytes) -> Calendar:
    try:
        calendar = Calendar.from_ical(ics)
    except (ValueError, IndexError, KeyError) as exc:
        raise Invalid(FIELD, f"is not an iCalendar file: {exc}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise Invalid(FIELD, "is not an iCalendar file: no VCALENDAR")
    return calendar


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    """A DTSTART or DTEND as an instant: a date is the start of the person's local day, a
    floating time the person's wall clock."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _span(event: Event, zone: tzinfo) -> tuple[datetime, datetime]:
    """icalendar's `end` follows RFC 5545: DTEND, else DTSTART + DURATION, else a date's whole
    day or a date-time's instant."""
    return _instant(event.start, zone), _instant(event.end, zone)


def _blocks(event: Event, reader: Reader) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(event.get("UID", "")) in reader.own_uids:
        return False
    return not any(_declined_by(attendee, reader.email) for attendee in _list(event, "ATTENDEE"))


def _list(event: Event, name: str) -> Iterable[Any]:
    value = event.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _declined_by(attendee: Any, email: str) -> bool:
    address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
    partstat = str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper()
    return address.casefold() == email.casefold() and partstat == "DECLINED"


def _overlapped(start: datetime, end: datetime, reader: Reader) -> Iterable[datetime]:
    """The calendar hours that [start, end) overlaps, within the window (none when empty)."""
    if end <= start:
        return
    hour = max(floor_hour(start, reader.calendar_tz), reader.start)
    while hour < end and hour < reader.end:
        yield hour
        hour += HOUR
