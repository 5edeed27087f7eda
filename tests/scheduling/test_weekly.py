"""Weekly hours: the calendar hours a template offers, against SPEC's examples and a brute force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduling.hours import HOUR
from scheduling.weekly import DAYS, Interval, Template, offered_hours, offers, template

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # +10:30 / +11: a half-hour DST change
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45
PERSON_ZONES = (UTC_ZONE, BERLIN, NEW_YORK, KOLKATA, LORD_HOWE, KATHMANDU)
# Calendar zones whose hour starts are one hour apart in UTC (scheduling.hours' assumption).
CALENDAR_ZONES = (UTC_ZONE, BERLIN, NEW_YORK, KOLKATA)
QUARTER = timedelta(minutes=15)

PROPERTY = settings(max_examples=300, deadline=None, database=None)
WEEKDAYS_9_TO_17 = template({day: [(9, 17)] for day in DAYS[:5]})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def hours(first: datetime, count: int) -> list[datetime]:
    return [first + k * HOUR for k in range(count)]


def brute_force(tmpl: Template, raw: dict[str, list[Interval]], zone: ZoneInfo, start: datetime,
                end: datetime, calendar_tz: ZoneInfo) -> list[datetime]:
    """SPEC's rule, evaluated a quarter of an hour at a time from the unmerged intervals.

    Every zone's offsets are whole quarters of an hour and change at whole quarters (UTC), so
    the local wall hour is constant within each quarter: four samples decide an hour exactly.
    """
    def offered_at(instant: datetime) -> bool:
        wall = instant.astimezone(zone)
        return any(s <= wall.hour < e for s, e in raw.get(DAYS[wall.weekday()], []))

    found = []
    instant = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - HOUR
    while instant < end:
        local = instant.astimezone(calendar_tz)
        on_the_hour = local.minute == 0 and local.second == 0
        if instant >= start and on_the_hour and all(
                offered_at(instant + k * QUARTER) for k in range(4)):
            found.append(instant)
        instant += QUARTER
    return found


# The UTC instants at which the person zones change their offset in 2027.
TRANSITIONS = (
    utc(2027, 3, 28, 1), utc(2027, 10, 31, 1),  # Europe/Berlin
    utc(2027, 3, 14, 7), utc(2027, 11, 7, 6),  # America/New_York
    utc(2027, 4, 3, 15), utc(2027, 10, 2, 15, 30),  # Australia/Lord_Howe, half an hour
)
# Short intervals, many ending at 24:00 or starting at 00:00: boundaries everywhere, and days
# joined at midnight, so the cases that need care come up often.
intervals = st.one_of(
    st.builds(lambda s, n: (s, min(24, s + n)), st.integers(0, 23), st.integers(1, 4)),
    st.builds(lambda n: (0, n), st.integers(1, 3)),
    st.builds(lambda n: (24 - n, 24), st.integers(1, 3)),
)
raw_templates = st.dictionaries(st.sampled_from(DAYS), st.lists(intervals, max_size=6))
window_starts = st.builds(lambda at, back: at - timedelta(hours=back),
                          st.sampled_from(TRANSITIONS), st.integers(0, 72))


@PROPERTY
@given(raw=raw_templates, zone=st.sampled_from(PERSON_ZONES),
       calendar_tz=st.sampled_from(CALENDAR_ZONES), start=window_starts,
       length=st.integers(0, 4 * 24), shift=st.sampled_from((0, 15, 30, 45)))
@example(raw={"sun": [(0, 2), (3, 24)]}, zone=LORD_HOWE, calendar_tz=UTC_ZONE,
         start=utc(2027, 10, 2), length=48, shift=0)
@example(raw={"sun": [(2, 3)]}, zone=BERLIN, calendar_tz=UTC_ZONE, start=utc(2027, 10, 30),
         length=48, shift=0)
@example(raw={"sun": [(1, 2), (3, 4)]}, zone=BERLIN, calendar_tz=KOLKATA,
         start=utc(2027, 3, 27), length=72, shift=0)
@example(raw={"sun": [(2, 3)]}, zone=BERLIN, calendar_tz=KOLKATA, start=utc(2027, 10, 30),
         length=72, shift=0)
@example(raw={"mon": [(22, 24)], "tue": [(0, 2)]}, zone=KOLKATA, calendar_tz=UTC_ZONE,
         start=utc(2027, 6, 7), length=48, shift=0)
def test_offered_hours_equal_a_quarter_hour_brute_force_of_the_rule(
        raw: dict[str, list[Interval]], zone: ZoneInfo, calendar_tz: ZoneInfo, start: datetime,
        length: int, shift: int) -> None:
    start += timedelta(minutes=shift)
    end = start + timedelta(hours=length)
    tmpl = template(raw)
    assert offered_hours(tmpl, zone, start, end, calendar_tz) == brute_force(
        tmpl, raw, zone, start, end, calendar_tz)


def test_kolkata_nine_to_five_is_four_to_eleven_utc() -> None:
    monday = utc(2027, 6, 7)
    found = offered_hours(WEEKDAYS_9_TO_17, KOLKATA, monday, monday + timedelta(days=1),
                          UTC_ZONE)
    assert found == hours(utc(2027, 6, 7, 4), 7)


def test_kathmandu_nine_to_five_loses_its_first_and_last_part_hours() -> None:
    monday = utc(2027, 6, 7)  # 09:00 +05:45 is 03:15Z: 04:00Z … 11:00Z lie inside
    found = offered_hours(WEEKDAYS_9_TO_17, KATHMANDU, monday, monday + timedelta(days=1),
                          UTC_ZONE)
    assert found == hours(utc(2027, 6, 7, 4), 7)


def test_berlin_working_hours_move_an_hour_earlier_in_utc_after_spring_forward() -> None:
    week = offered_hours(WEEKDAYS_9_TO_17, BERLIN, utc(2027, 3, 22), utc(2027, 4, 3), UTC_ZONE)
    assert week[:8] == hours(utc(2027, 3, 22, 8), 8)  # CET, +01:00
    assert week[-8:] == hours(utc(2027, 4, 2, 7), 8)  # CEST, +02:00
    assert len(week) == 10 * 8


def test_berlin_working_hours_move_an_hour_later_in_utc_after_fall_back() -> None:
    week = offered_hours(WEEKDAYS_9_TO_17, BERLIN, utc(2027, 10, 25), utc(2027, 11, 6), UTC_ZONE)
    assert week[:8] == hours(utc(2027, 10, 25, 7), 8)
    assert week[-8:] == hours(utc(2027, 11, 5, 8), 8)
    assert len(week) == 10 * 8


def test_new_york_working_hours_follow_both_dst_changes() -> None:
    march = offered_hours(WEEKDAYS_9_TO_17, NEW_YORK, utc(2027, 3, 12), utc(2027, 3, 16),
                          UTC_ZONE)
    assert march == hours(utc(2027, 3, 12, 14), 8) + hours(utc(2027, 3, 15, 13), 8)
    november = offered_hours(WEEKDAYS_9_TO_17, NEW_YORK, utc(2027, 11, 5), utc(2027, 11, 9),
                             UTC_ZONE)
    assert november == hours(utc(2027, 11, 5, 13), 8) + hours(utc(2027, 11, 8, 14), 8)


def test_in_the_calendars_own_zone_the_local_hours_are_the_hours() -> None:
    sunday = template({"sun": [(0, 24)]})
    spring = offered_hours(sunday, BERLIN, utc(2027, 3, 27), utc(2027, 3, 29), BERLIN)
    autumn = offered_hours(sunday, BERLIN, utc(2027, 10, 30), utc(2027, 11, 1), BERLIN)
    assert (len(spring), len(autumn)) == (23, 25)


def test_a_gap_in_local_time_needs_no_offer() -> None:
    around_the_gap = template({"sun": [(1, 2), (3, 4)]})  # 02:00-03:00 never happens
    found = offered_hours(around_the_gap, BERLIN, utc(2027, 3, 27), utc(2027, 3, 29), UTC_ZONE)
    assert found == [utc(2027, 3, 28, 0), utc(2027, 3, 28, 1)]


def test_a_repeated_local_hour_offers_both_of_its_calendar_hours() -> None:
    the_fold = template({"sun": [(2, 3)]})
    found = offered_hours(the_fold, BERLIN, utc(2027, 10, 30), utc(2027, 11, 1), UTC_ZONE)
    assert found == [utc(2027, 10, 31, 0), utc(2027, 10, 31, 1)]


def test_a_half_hour_shift_needs_both_local_half_hours_offered() -> None:
    # 2027-10-03 02:00 +10:30 becomes 02:30 +11 (15:30Z): 15:00Z is 01:30-02:00 and 02:30-03:00.
    without_two = template({"sun": [(0, 2), (3, 24)]})
    found = offered_hours(without_two, LORD_HOWE, utc(2027, 10, 2, 13), utc(2027, 10, 2, 18),
                          UTC_ZONE)
    assert found == [utc(2027, 10, 2, 14), utc(2027, 10, 2, 16), utc(2027, 10, 2, 17)]
    whole_day = template({"sun": [(0, 24)]})
    assert utc(2027, 10, 2, 15) in offered_hours(whole_day, LORD_HOWE, utc(2027, 10, 2, 15),
                                                 utc(2027, 10, 2, 16), UTC_ZONE)


def test_midnight_joins_an_interval_to_the_next_days() -> None:
    late = template({"mon": [(22, 24)], "tue": [(0, 2)]})
    found = offered_hours(late, KOLKATA, utc(2027, 6, 7), utc(2027, 6, 9), UTC_ZONE)
    assert found == hours(utc(2027, 6, 7, 17), 3)  # 22:30-01:30 IST, across midnight


def test_sunday_midnight_joins_monday() -> None:
    late = template({"sun": [(23, 24)], "mon": [(0, 1)]})
    found = offered_hours(late, KOLKATA, utc(2027, 6, 6), utc(2027, 6, 8), UTC_ZONE)
    assert found == [utc(2027, 6, 6, 18)]  # 23:30-00:30 IST


def test_overlapping_and_touching_intervals_of_a_day_are_merged() -> None:
    assert template({"mon": [(9, 12), (11, 13), (13, 14), (16, 17)]}).as_dict() == {
        "mon": [(9, 14), (16, 17)]}


@pytest.mark.parametrize("bad", [{"mon": [(9, 9)]}, {"mon": [(10, 9)]}, {"mon": [(0, 25)]},
                                 {"mon": [(-1, 2)]}, {"someday": [(9, 10)]}])
def test_a_template_refuses_empty_reversed_or_unknown_intervals(
        bad: dict[str, list[Interval]]) -> None:
    with pytest.raises(ValueError):
        template(bad)


def test_an_empty_template_offers_nothing() -> None:
    assert offered_hours(template({}), BERLIN, utc(2027, 1, 1), utc(2028, 1, 1), UTC_ZONE) == []


def test_a_window_starting_inside_an_hour_begins_at_the_next_hour() -> None:
    always = template({day: [(0, 24)] for day in DAYS})
    found = offered_hours(always, UTC_ZONE, utc(2027, 6, 7, 9) + timedelta(minutes=1),
                          utc(2027, 6, 7, 12), UTC_ZONE)
    assert found == [utc(2027, 6, 7, 10), utc(2027, 6, 7, 11)]


@PROPERTY
@given(raw=raw_templates, zone=st.sampled_from(PERSON_ZONES), start=window_starts,
       picks=st.sets(st.integers(0, 95), max_size=30))
def test_asking_about_some_hours_agrees_with_listing_the_window(
        raw: dict[str, list[Interval]], zone: ZoneInfo, start: datetime, picks: set[int]) -> None:
    tmpl = template(raw)
    start = start.replace(minute=0)  # on the hour in UTC, the calendar's zone here
    listed = set(offered_hours(tmpl, zone, start, start + 96 * HOUR, UTC_ZONE))
    asked = [start + k * HOUR for k in sorted(picks)]
    assert offers(tmpl, zone, asked) == [h for h in asked if h in listed]
