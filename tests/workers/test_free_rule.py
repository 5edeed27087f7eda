"""The one notion of "free" (SPEC §5), on a real database, against a brute force: for random
weekly hours, added and removed ranges, bookings and calendar events, the free hours the
queries give (the availability a person reads, the hours slots find them free at, and the
reason each offered hour is not free) equal an hour-by-hour evaluation of offered (weekly ∪
added − removed) − booked − busy − capped.

The brute force knows nothing of the code: weekly hours by sampling each hour's quarters as
wall time in the person's zone, removals and additions by replaying them in order, busy as any
blocking event overlapping the hour for a positive time, capped as a day or week (local,
Monday to Sunday) holding as many bookings as its cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import CalendarFeed, Person
from scheduling.hours import HOUR, Range, merge
from scheduling.weekly import DAYS, template
from tests.feeds import ics, meeting
from tests.workers.support import add_person, clear
from workers import availability, calendar_reads, interviews, weekly_hours
from workers.free_hours import free_seconds, hours_all_free, offered_with_reasons
from workers.queue.runtime import Runtime

ZONES = tuple(ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"))
# Just before daylight-saving changes of 2027 (Berlin, New York), and an ordinary week.
NOWS = (datetime(2027, 3, 27, 9, 30, tzinfo=UTC), datetime(2027, 11, 6, 9, 30, tzinfo=UTC),
        datetime(2027, 6, 7, 9, 30, tzinfo=UTC))
DAYS_CHECKED = 3
QUARTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Meeting:
    start: int  # quarters of an hour after the window's start
    quarters: int  # its length; 0 overlaps nothing
    blocks: str  # "", or the line that makes it not block


intervals = st.builds(lambda s, n: (s, min(24, s + n)), st.integers(0, 23), st.integers(1, 10))
templates = st.dictionaries(st.sampled_from(DAYS), st.lists(intervals, max_size=3))
spans = st.builds(lambda a, n: (a, a + n), st.integers(0, DAYS_CHECKED * 24 - 1),
                  st.integers(1, 8))
changes = st.lists(st.tuples(st.sampled_from(("add", "remove")), spans), max_size=6)
meetings = st.lists(st.builds(Meeting, st.integers(0, DAYS_CHECKED * 96), st.integers(0, 10),
                              st.sampled_from(("", "", "", "TRANSP:TRANSPARENT",
                                               "STATUS:CANCELLED"))), max_size=6)


def brute_force(raw: dict[str, list[tuple[int, int]]], zone: ZoneInfo,
                done: list[tuple[str, tuple[int, int]]], booked: set[int],
                events: list[Meeting], first: datetime,
                caps: tuple[int | None, int | None] = (None, None)) -> dict[str, set[int]]:
    """Hour offsets of [first, first + DAYS_CHECKED days): offered, booked, busy, capped
    (by a day cap and a week cap), free (caps aside) and free."""
    def weekly(hour: datetime) -> bool:
        walls = [(hour + k * QUARTER).astimezone(zone) for k in range(4)]
        return all(any(s <= wall.hour < e for s, e in raw.get(DAYS[wall.weekday()], []))
                   for wall in walls)

    def busy(h: int) -> bool:
        return any(m.blocks == "" and m.quarters > 0 and m.start < 4 * (h + 1)
                   and m.start + m.quarters > 4 * h for m in events)

    hours = range(DAYS_CHECKED * 24)
    offered = {h for h in hours if weekly(first + h * HOUR)}
    for op, (a, b) in done:
        (offered.update if op == "add" else offered.difference_update)(range(a, b))
    offered &= set(hours)
    blocked = {h for h in offered if busy(h)} - booked

    def local(h: int) -> tuple[date, date]:
        day = (first + h * HOUR).astimezone(zone).date()
        return day, day - timedelta(days=day.weekday())

    def capped(h: int) -> bool:
        return any(cap is not None and sum(local(b)[k] == local(h)[k] for b in booked) >= cap
                   for k, cap in enumerate(caps))

    uncapped = offered - booked - blocked
    full = {h for h in uncapped if capped(h)}
    return {"offered": offered, "booked": booked, "busy": blocked, "capped": full,
            "uncapped": uncapped, "free": uncapped - full}


def _ranges(first: datetime, a: int, b: int) -> list[list[str]]:
    return availability.encode_ranges([Range(first + a * HOUR, first + b * HOUR)])


def _feed(events: list[Meeting], first: datetime) -> bytes:
    return ics(*(meeting(first + m.start * QUARTER, m.quarters / 4, f"{n}@tests", m.blocks)
                 for n, m in enumerate(events)))


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=templates, zone=st.sampled_from(ZONES), now=st.sampled_from(NOWS), done=changes,
       bookings=st.sets(st.integers(0, DAYS_CHECKED * 24 - 1), max_size=3), events=meetings,
       caps=st.tuples(st.sampled_from((None, 1, 2)), st.sampled_from((None, 1, 2, 3))))
def test_free_hours_follow_the_rule_hour_by_hour(
        runtime: Runtime, raw: dict[str, list[tuple[int, int]]], zone: ZoneInfo,
        now: datetime, done: list[tuple[str, tuple[int, int]]], bookings: set[int],
        events: list[Meeting], caps: tuple[int | None, int | None]) -> None:
    clear(runtime)
    first = now.replace(minute=0) + HOUR  # CALENDAR_TZ is UTC
    person, candidate = add_person(runtime), add_person(runtime, "candidate")
    with runtime.sessions.begin() as session:
        found = session.get_one(Person, person)
        found.time_zone = zone.key
        found.max_interviews_per_day, found.max_interviews_per_week = caps
        weekly_hours.replace(session, found, template(raw), runtime.settings, now)
        availability.add(session, {"person": str(candidate),
                                   "ranges": _ranges(first, 0, DAYS_CHECKED * 24)}, now)
    for op, (a, b) in done:
        with runtime.sessions.begin() as session:
            change = availability.add if op == "add" else availability.remove
            change(session, {"person": str(person), "ranges": _ranges(first, a, b)}, now)
    expected = brute_force(raw, zone, done, set(), events, first)
    booked = {h for h in bookings if h in expected["free"]}
    for h in booked:  # past the caps too: a cap is then reached, or passed
        with runtime.sessions.begin() as session:
            interviews.book(session, candidate, [person], first + h * HOUR, now,
                            runtime.settings.tz, override_caps=True)
    with runtime.sessions.begin() as session:
        calendar = CalendarFeed(person_id=person, ics=_feed(events, first), created_at=now,
                                next_sync_at=now)
        session.add(calendar)
    assert calendar_reads.refresh(runtime.sessions, runtime.settings, runtime.resolver, now,
                                  calendar.id) == "ok"
    expected = brute_force(raw, zone, done, booked, events, first, caps)

    end = first + DAYS_CHECKED * 24 * HOUR
    with runtime.sessions() as session:
        uncapped = free_seconds(session, "interviewer", [person], first, end)[str(person)]
        free = hours_all_free(session, [person], first, end, limit=DAYS_CHECKED * 24)
        read = availability.read(session, person, first, end)
        reasons = offered_with_reasons(session, [person], first, end)[person]
    assert {_offset(datetime.fromtimestamp(s, UTC), first) for s in uncapped} == expected[
        "uncapped"]
    assert {_offset(hour, first) for hour in free} == expected["free"]
    assert {_offset(hour, first): reason for hour, reason in reasons.items()} == {
        **dict.fromkeys(expected["free"]), **dict.fromkeys(expected["booked"], "booked"),
        **dict.fromkeys(expected["busy"], "busy"),
        **dict.fromkeys(expected["capped"], "cap_reached")}
    assert read == {"ranges": _merged(expected["offered"] - expected["busy"], first),
                    "booked": _merged(expected["booked"], first),
                    "busy": _merged(expected["busy"], first)}


def _offset(hour: datetime, first: datetime) -> int:
    return int((hour - first) / HOUR)


def _merged(hours: set[int], first: datetime) -> list[Range]:
    return merge(first + h * HOUR for h in hours)

