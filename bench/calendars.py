"""People's weekly hours and calendar feeds for the benchmark, from a seed.

A template is drawn like the dataset's free hours (one block a working day of Binomial(8,
share) hours), so that weekly hours are the size of the data, not a 40-hour week that would
triple what every query reads. A feed holds MEETINGS_A_WEEK weekly meetings, each on the hour
in a distinct working hour (30 or 60 minutes: either makes exactly that hour busy), recurring
over the window the slot queries read. Not up to the horizon as a real feed's would: reading a
year of them (about 1,000 busy hours) takes a worker about half a second per feed, minutes for
thousands of people, and busy hours outside the window change no slot query's plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench.dataset import DAY_STARTS_AT, HOURS_A_DAY, Dataset, Window

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
MEETINGS_A_WEEK = 20


@dataclass(frozen=True)
class Calendar:
    """One person's weekly hours (UTC hours of the day, per weekday) and weekly meetings."""

    days: dict[str, tuple[int, int]]
    meetings: tuple[tuple[int, int, int], ...]  # weekday (0 = Monday), hour, minutes


def generate(data: Dataset, people: list[int]) -> dict[int, Calendar]:
    """A calendar for each of `people` (dataset indexes), the same for the same seed."""
    rng = random.Random(data.size.seed + 2)
    working = [(day, DAY_STARTS_AT + k) for day in range(len(WEEKDAYS))
               for k in range(HOURS_A_DAY)]
    out = {}
    for person in people:
        days = {}
        for name in WEEKDAYS:
            length = sum(rng.random() < data.size.free for _ in range(HOURS_A_DAY))
            if length:
                first = DAY_STARTS_AT + rng.randrange(HOURS_A_DAY - length + 1)
                days[name] = (first, first + length)
        meetings = tuple((day, hour, rng.choice((30, 60)))
                         for day, hour in sorted(rng.sample(working, MEETINGS_A_WEEK)))
        out[person] = Calendar(days, meetings)
    return out


def weekly_body(calendar: Calendar) -> dict[str, object]:
    """The body of PUT /v1/people/{id}/weekly-hours."""
    return {"days": {name: [{"start": f"{start:02d}:00", "end": f"{end:02d}:00"}]
                     for name, (start, end) in calendar.days.items()}}


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%SZ}"


def ics(calendar: Calendar, person: str, window: Window) -> bytes:
    """The calendar's meetings over `window` (which starts on a Monday) as an iCalendar file
    (UTC times, CRLF lines)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interview Calendar bench//EN"]
    for k, (day, hour, minutes) in enumerate(calendar.meetings):
        start = window.start + timedelta(days=day, hours=hour)
        lines += ["BEGIN:VEVENT", f"UID:bench-{person}-{k}@example.com",
                  f"DTSTAMP:{_stamp(window.start)}", f"DTSTART:{_stamp(start)}",
                  f"DURATION:PT{minutes}M", f"RRULE:FREQ=WEEKLY;UNTIL={_stamp(window.end)}",
                  f"SUMMARY:Meeting {k}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()
