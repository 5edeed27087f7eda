"""The benchmark's weekly hours are the size of its data, and its feeds, read by the service's
own reader, make MEETINGS_A_WEEK working hours a week busy."""

from __future__ import annotations

from datetime import UTC, timedelta

from bench.calendars import MEETINGS_A_WEEK, generate, ics
from bench.dataset import DAY_STARTS_AT, HOURS_A_DAY
from bench.dataset import generate as dataset
from bench.sizes import SIZES
from workers.calendar_busy import Reader, busy_hours

from .test_dataset import NOW

DATA = dataset(SIZES["medium"], NOW)


def test_the_same_seed_gives_the_same_calendars() -> None:
    people = list(range(0, 3000, 7))
    assert generate(DATA, people) == generate(DATA, people)


def test_weekly_hours_offer_about_the_share_of_working_hours_the_size_says() -> None:
    drawn = generate(DATA, list(DATA.interviewers))
    hours = sum(end - start for c in drawn.values() for start, end in c.days.values())
    asked = DATA.size.free * len(drawn) * 5 * HOURS_A_DAY
    assert abs(hours - asked) < 0.03 * asked, (hours, asked)
    assert all(DAY_STARTS_AT <= start < end <= DAY_STARTS_AT + HOURS_A_DAY
               for c in drawn.values() for start, end in c.days.values())


def test_a_feed_makes_its_meetings_working_hours_busy_every_week_of_the_window() -> None:
    [calendar] = generate(DATA, [0]).values()
    start = DATA.main.start
    reader = Reader(zone=UTC, calendar_tz=UTC, email="bench@example.com",
                    own_uids=frozenset(), start=start - timedelta(days=7),
                    end=start + timedelta(weeks=10))

    busy = busy_hours(ics(calendar, "someone", DATA.main), reader)

    assert busy.events == MEETINGS_A_WEEK
    assert len(busy.hours) == len(DATA.main.days) // 5 * MEETINGS_A_WEEK
    assert start <= busy.hours[0] and busy.hours[-1] < DATA.main.end
    assert all(hour.weekday() < 5 and DAY_STARTS_AT <= hour.hour < DAY_STARTS_AT + HOURS_A_DAY
               for hour in busy.hours)
