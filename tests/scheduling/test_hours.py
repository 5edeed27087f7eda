"""The hour model: merging hours and ranges, validating ranges, and hours in real time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduling.hours import (
    DEFAULT_HORIZON,
    HOUR,
    Range,
    floor_hour,
    is_on_the_hour,
    merge,
    merge_ranges,
    next_full_hour,
    range_problem,
    starts_in,
    to_utc,
)

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")
ST_JOHNS = ZoneInfo("America/St_Johns")  # -03:30, with DST: a half-hour zone that also shifts
ADELAIDE = ZoneInfo("Australia/Adelaide")  # +09:30 / +10:30
ZONES = (UTC_ZONE, BERLIN, KOLKATA, ST_JOHNS, ADELAIDE)

BASE = datetime(2030, 1, 7, tzinfo=UTC)  # a Monday, midnight UTC
NOW = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)  # a fixed clock: 10:00Z, on the hour in UTC

# No example database: the runs leave nothing behind in the working tree.
PROPERTY = settings(max_examples=200, deadline=None, database=None)

# The UTC instants at which the zones above change their offset in 2027.
TRANSITIONS = (
    datetime(2027, 3, 28, 1, tzinfo=UTC),  # Berlin, spring forward
    datetime(2027, 10, 31, 1, tzinfo=UTC),  # Berlin, fall back
    datetime(2027, 3, 14, 5, 30, tzinfo=UTC),  # St. John's, spring forward
    datetime(2027, 11, 7, 4, 30, tzinfo=UTC),  # St. John's, fall back
    datetime(2027, 4, 3, 16, 30, tzinfo=UTC),  # Adelaide, fall back
    datetime(2027, 10, 2, 16, 30, tzinfo=UTC),  # Adelaide, spring forward
)


def at(hour: int) -> datetime:
    return BASE + hour * HOUR


def hour_set(ranges: list[Range]) -> set[datetime]:
    return {start for rng in ranges for start in rng.starts()}


def assert_sorted_disjoint_not_touching(ranges: list[Range]) -> None:
    for rng in ranges:
        assert rng.end > rng.start
    for left, right in zip(ranges, ranges[1:], strict=False):
        assert left.end < right.start, f"{left} and {right} overlap or touch"


hours_strategy = st.lists(st.integers(min_value=0, max_value=24 * 14), max_size=80).map(
    lambda offsets: [at(k) for k in offsets]
)
ranges_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=24 * 14), st.integers(min_value=1, max_value=30)),
    max_size=40,
).map(lambda pairs: [Range(at(a), at(a + n)) for a, n in pairs])
near_transitions = st.sampled_from(TRANSITIONS).flatmap(
    lambda t: st.integers(min_value=-3 * 3600, max_value=3 * 3600).map(
        lambda seconds: t + timedelta(seconds=seconds)
    )
)
anywhere = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2029, 1, 1), timezones=st.just(UTC)
)
instants = near_transitions | anywhere


# --- merge ---------------------------------------------------------------------------------------


def test_merging_no_hours_gives_no_ranges() -> None:
    assert merge([]) == []


def test_consecutive_hours_merge_into_one_range_and_gaps_split_ranges() -> None:
    assert merge([at(3), at(1), at(2), at(7)]) == [Range(at(1), at(4)), Range(at(7), at(8))]


def test_a_repeated_hour_counts_once() -> None:
    assert merge([at(5), at(5), at(5)]) == [Range(at(5), at(6))]


@PROPERTY
@given(hours_strategy)
def test_merged_hours_are_sorted_disjoint_not_touching_and_cover_exactly_the_input(
    hours: list[datetime],
) -> None:
    ranges = merge(hours)
    assert ranges == sorted(ranges)
    assert_sorted_disjoint_not_touching(ranges)
    assert hour_set(ranges) == set(hours)
    assert sum(rng.hours for rng in ranges) == len(set(hours))


# --- merge_ranges --------------------------------------------------------------------------------


def test_overlapping_and_touching_ranges_merge_and_separate_ones_do_not() -> None:
    merged = merge_ranges([Range(at(5), at(8)), Range(at(0), at(2)), Range(at(2), at(3)),
                           Range(at(6), at(7)), Range(at(10), at(12))])
    assert merged == [Range(at(0), at(3)), Range(at(5), at(8)), Range(at(10), at(12))]


def test_a_range_inside_another_disappears_into_it() -> None:
    assert merge_ranges([Range(at(0), at(10)), Range(at(2), at(4))]) == [Range(at(0), at(10))]


@PROPERTY
@given(ranges_strategy)
def test_merged_ranges_cover_the_union_of_their_hours_and_are_disjoint_and_not_touching(
    ranges: list[Range],
) -> None:
    merged = merge_ranges(ranges)
    assert merged == sorted(merged)
    assert_sorted_disjoint_not_touching(merged)
    assert hour_set(merged) == hour_set(ranges)


@PROPERTY
@given(ranges_strategy)
def test_merging_ranges_agrees_with_merging_their_hours(ranges: list[Range]) -> None:
    assert merge_ranges(ranges) == merge(hour_set(ranges))


# --- range_problem -------------------------------------------------------------------------------


def test_a_valid_future_range_has_no_problem() -> None:
    rng = Range(NOW + HOUR, NOW + 5 * HOUR)
    assert range_problem(rng, now=NOW, tz=UTC_ZONE) is None


def test_a_start_off_the_hour_is_a_problem() -> None:
    rng = Range(NOW + HOUR + timedelta(minutes=30), NOW + 3 * HOUR)
    assert range_problem(rng, now=NOW, tz=UTC_ZONE) == "start is not on the hour"


def test_an_end_off_the_hour_is_a_problem() -> None:
    rng = Range(NOW + HOUR, NOW + 3 * HOUR + timedelta(seconds=1))
    assert range_problem(rng, now=NOW, tz=UTC_ZONE) == "end is not on the hour"


@pytest.mark.parametrize("hours", [0, -1])
def test_an_end_not_after_the_start_is_a_problem(hours: int) -> None:
    rng = Range(NOW + 3 * HOUR, NOW + (3 + hours) * HOUR)
    assert range_problem(rng, now=NOW, tz=UTC_ZONE) == "end must be after start"


def test_an_hour_that_began_exactly_now_is_past() -> None:
    problem = range_problem(Range(NOW, NOW + 2 * HOUR), now=NOW, tz=UTC_ZONE)
    assert problem is not None and problem.startswith("start is in the past")


def test_an_hour_already_under_way_is_past_and_the_next_full_hour_is_not() -> None:
    now = NOW + timedelta(minutes=59, seconds=59)
    assert range_problem(Range(NOW, NOW + 2 * HOUR), now=now, tz=UTC_ZONE) is not None
    assert range_problem(Range(NOW + HOUR, NOW + 2 * HOUR), now=now, tz=UTC_ZONE) is None


def test_a_range_may_end_exactly_at_the_horizon_but_not_beyond_it() -> None:
    start = NOW + HOUR
    assert range_problem(Range(start, NOW + DEFAULT_HORIZON), now=NOW, tz=UTC_ZONE) is None
    problem = range_problem(Range(start, NOW + DEFAULT_HORIZON + HOUR), now=NOW, tz=UTC_ZONE)
    assert problem == "end is beyond the horizon of 365 days"


def test_a_shorter_horizon_is_named_in_the_problem() -> None:
    rng = Range(NOW + HOUR, NOW + 8 * 24 * HOUR)
    assert range_problem(rng, now=NOW, tz=UTC_ZONE, horizon=timedelta(days=7)) == (
        "end is beyond the horizon of 7 days"
    )


def test_on_the_hour_means_on_the_hour_in_the_calendar_zone() -> None:
    now = datetime(2027, 6, 1, 0, 0, tzinfo=UTC)
    utc_hours = Range(datetime(2027, 6, 2, 10, tzinfo=UTC), datetime(2027, 6, 2, 12, tzinfo=UTC))
    kolkata_hours = Range(to_utc(datetime(2027, 6, 2, 10), KOLKATA),
                          to_utc(datetime(2027, 6, 2, 12), KOLKATA))
    assert range_problem(utc_hours, now=now, tz=KOLKATA) == "start is not on the hour"
    assert range_problem(kolkata_hours, now=now, tz=KOLKATA) is None


@PROPERTY
@given(instants, st.sampled_from(ZONES), st.integers(1, 48), st.integers(0, 24 * 30))
def test_a_range_on_the_hour_from_the_next_full_hour_within_the_horizon_is_valid(
    now: datetime, tz: ZoneInfo, length: int, delay: int
) -> None:
    start = next_full_hour(now, tz) + delay * HOUR
    assert range_problem(Range(start, start + length * HOUR), now=now, tz=tz) is None


@PROPERTY
@given(instants, st.sampled_from(ZONES), st.integers(1, 48))
def test_a_range_starting_in_the_hour_under_way_is_always_past(
    now: datetime, tz: ZoneInfo, length: int
) -> None:
    start = floor_hour(now, tz)
    problem = range_problem(Range(start, start + length * HOUR), now=now, tz=tz)
    assert problem is not None and problem.startswith("start is in the past")


# --- to_utc, is_on_the_hour, floor_hour ----------------------------------------------------------


def test_a_naive_datetime_is_read_in_the_calendar_zone() -> None:
    assert to_utc(datetime(2027, 1, 1, 10, 0), KOLKATA) == datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    assert to_utc(datetime(2027, 7, 1, 10, 0), BERLIN) == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)


def test_an_aware_datetime_keeps_its_offset_whatever_the_calendar_zone() -> None:
    plus_two = datetime(2027, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert to_utc(plus_two, KOLKATA) == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    assert to_utc(plus_two, KOLKATA).utcoffset() == timedelta(0)


def test_ten_o_clock_in_kolkata_is_on_the_hour_there_and_ten_o_clock_utc_is_not() -> None:
    ten_local = to_utc(datetime(2027, 1, 1, 10, 0), KOLKATA)
    assert ten_local == datetime(2027, 1, 1, 4, 30, tzinfo=UTC)
    assert is_on_the_hour(ten_local, KOLKATA)
    assert not is_on_the_hour(datetime(2027, 1, 1, 10, 0, tzinfo=UTC), KOLKATA)
    assert not is_on_the_hour(ten_local, UTC_ZONE)


def test_the_kolkata_hour_that_contains_ten_utc_starts_at_half_past_nine_utc() -> None:
    assert floor_hour(datetime(2027, 1, 1, 10, 0, tzinfo=UTC), KOLKATA) == datetime(
        2027, 1, 1, 9, 30, tzinfo=UTC
    )
    assert next_full_hour(datetime(2027, 1, 1, 10, 0, tzinfo=UTC), KOLKATA) == datetime(
        2027, 1, 1, 10, 30, tzinfo=UTC
    )


def test_an_hour_that_begins_exactly_now_is_its_own_floor() -> None:
    assert floor_hour(NOW, UTC_ZONE) == NOW
    assert next_full_hour(NOW, UTC_ZONE) == NOW + HOUR


def test_the_repeated_hour_of_a_fall_back_night_is_floored_to_its_own_start() -> None:
    # 01:30Z on 2027-10-31 is 02:30 CET, in the second 02:00-03:00 of the night; that hour
    # began at 01:00Z, one hour after the first 02:00 (CEST) began.
    now = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert floor_hour(now, BERLIN) == datetime(2027, 10, 31, 1, 0, tzinfo=UTC)
    assert next_full_hour(now, BERLIN) == datetime(2027, 10, 31, 2, 0, tzinfo=UTC)
    started = Range(datetime(2027, 10, 31, 1, tzinfo=UTC), datetime(2027, 10, 31, 3, tzinfo=UTC))
    assert range_problem(started, now=now, tz=BERLIN) is not None


@PROPERTY
@given(instants, st.sampled_from(ZONES))
@example(datetime(2027, 10, 31, 1, 30, tzinfo=UTC), BERLIN)
@example(datetime(2027, 11, 7, 4, 0, tzinfo=UTC), ST_JOHNS)
@example(datetime(2027, 4, 3, 16, 45, tzinfo=UTC), ADELAIDE)
def test_every_instant_lies_in_the_hour_that_floor_hour_names(now: datetime, tz: ZoneInfo) -> None:
    start = floor_hour(now, tz)
    assert start.utcoffset() == timedelta(0)
    assert is_on_the_hour(start, tz)
    assert start <= now < start + HOUR
    assert next_full_hour(now, tz) == start + HOUR


@PROPERTY
@given(instants, st.sampled_from(ZONES), st.integers(0, 48 * 60))
def test_the_hours_of_a_window_are_every_hour_that_begins_in_it(
        start: datetime, tz: ZoneInfo, minutes: int) -> None:
    end = start + timedelta(minutes=minutes)
    hours = list(starts_in(start, end, tz))
    first = start if is_on_the_hour(start, tz) else next_full_hour(start, tz)
    assert hours == [first + k * HOUR for k in range(len(hours))]
    assert all(start <= h < end and is_on_the_hour(h, tz) for h in hours)
    assert hours[-1] + HOUR >= end if hours else first >= end


# --- daylight saving time ------------------------------------------------------------------------


def berlin_range(start: datetime, end: datetime) -> Range:
    return Range(to_utc(start, BERLIN), to_utc(end, BERLIN))


def test_a_range_across_spring_forward_in_berlin_has_one_hour_fewer() -> None:
    rng = berlin_range(datetime(2027, 3, 28, 0, 0), datetime(2027, 3, 28, 5, 0))
    assert rng == Range(datetime(2027, 3, 27, 23, tzinfo=UTC), datetime(2027, 3, 28, 3, tzinfo=UTC))
    assert rng.hours == 4
    assert len(list(rng.starts())) == 4
    assert all(is_on_the_hour(start, BERLIN) for start in rng.starts())


def test_a_range_across_fall_back_in_berlin_has_one_hour_more() -> None:
    rng = berlin_range(datetime(2027, 10, 31, 0, 0), datetime(2027, 10, 31, 5, 0))
    assert rng == Range(datetime(2027, 10, 30, 22, tzinfo=UTC),
                        datetime(2027, 10, 31, 4, tzinfo=UTC))
    assert rng.hours == 6
    starts = list(rng.starts())
    assert len(starts) == 6
    local = [start.astimezone(BERLIN).hour for start in starts]
    assert local == [0, 1, 2, 2, 3, 4]


def test_a_whole_spring_forward_day_has_23_hours_and_a_fall_back_day_25() -> None:
    assert berlin_range(datetime(2027, 3, 28), datetime(2027, 3, 29)).hours == 23
    assert berlin_range(datetime(2027, 10, 31), datetime(2027, 11, 1)).hours == 25


@PROPERTY
@given(near_transitions, st.sampled_from(ZONES), st.integers(1, 30))
def test_every_hour_of_a_range_on_the_hour_starts_on_the_hour_also_across_dst(
    now: datetime, tz: ZoneInfo, length: int
) -> None:
    start = floor_hour(now, tz)
    rng = Range(start, start + length * HOUR)
    starts = list(rng.starts())
    assert len(starts) == rng.hours == length
    assert all(is_on_the_hour(s, tz) for s in starts)
