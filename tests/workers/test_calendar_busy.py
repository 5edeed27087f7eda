"""Busy hours from feeds in the shapes Google, Outlook and CalDAV servers export (SPEC §5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workers.calendar_busy import MAX_EVENTS, Busy, Reader, busy_hours
from workers.errors import Invalid

BERLIN, NEW_YORK, KOLKATA = (ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York",
                                                    "Asia/Kolkata"))
START, END = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC)
EMAIL = "ada@example.com"


def read(body: str, zone: ZoneInfo = BERLIN, own: frozenset[str] = frozenset()) -> Busy:
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body.strip().replace(
        "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
    return busy_hours(ics.encode(), Reader(zone, ZoneInfo("UTC"), EMAIL, own, START, END))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def hours(first: datetime, count: int) -> list[datetime]:
    return [first + timedelta(hours=n) for n in range(count)]


def event(dtstart: str, dtend: str, *extra: str, uid: str = "e1") -> str:
    return "\n".join(["BEGIN:VEVENT", f"UID:{uid}", dtstart, dtend, *extra, "END:VEVENT"])


def test_a_google_feed_reads_utc_times_and_floating_ones_in_its_x_wr_timezone() -> None:
    got = read("X-WR-TIMEZONE:America/New_York\n"
               + event("DTSTART:20270310T150000Z", "DTEND:20270310T160000Z") + "\n"
               + event("DTSTART:20270311T090000", "DTEND:20270311T093000", uid="e2"))
    assert got.hours == [utc(2027, 3, 10, 15), utc(2027, 3, 11, 14)]  # 09:00 EST is 14:00 UTC
    assert got.events == 2


def test_a_floating_time_without_x_wr_timezone_is_the_person_s_wall_clock() -> None:
    got = read(event("DTSTART:20270311T090000", "DTEND:20270311T100000"), zone=KOLKATA)
    assert got.hours == [utc(2027, 3, 11, 3), utc(2027, 3, 11, 4)]  # IST: 03:30–04:30 UTC


def test_an_outlook_feed_with_a_windows_zone_name_is_read_as_that_zone() -> None:
    vtimezone = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""
    got = read(vtimezone + "\n" + event(
        "DTSTART;TZID=W. Europe Standard Time:20270310T100000",
        "DTEND;TZID=W. Europe Standard Time:20270310T113000") + "\n" + event(
        "DTSTART;TZID=W. Europe Standard Time:20270401T100000",
        "DTEND;TZID=W. Europe Standard Time:20270401T110000", uid="e2"))
    assert got.hours == [utc(2027, 3, 10, 9), utc(2027, 3, 10, 10),  # CET: UTC+1
                         utc(2027, 4, 1, 8)]  # CEST: UTC+2


def test_a_weekly_meeting_follows_local_time_across_daylight_saving_in_berlin_and_new_york(
        ) -> None:
    weekly = ("RRULE:FREQ=WEEKLY;COUNT=3",)
    berlin = read(event("DTSTART;TZID=Europe/Berlin:20270322T090000",
                        "DTEND;TZID=Europe/Berlin:20270322T100000", *weekly))
    assert berlin.hours == [utc(2027, 3, 22, 8), utc(2027, 3, 29, 7), utc(2027, 4, 5, 7)]
    new_york = read(event("DTSTART;TZID=America/New_York:20270308T090000",
                          "DTEND;TZID=America/New_York:20270308T100000", *weekly))
    assert new_york.hours == [utc(2027, 3, 8, 14), utc(2027, 3, 15, 13), utc(2027, 3, 22, 13)]


def test_a_recurring_meeting_with_an_exdate_and_a_moved_instance() -> None:
    got = read(event("DTSTART;TZID=Europe/Berlin:20270401T100000",
                     "DTEND;TZID=Europe/Berlin:20270401T110000",
                     "RRULE:FREQ=DAILY;COUNT=4", "EXDATE;TZID=Europe/Berlin:20270402T100000")
               + "\n" + event("RECURRENCE-ID;TZID=Europe/Berlin:20270403T100000",
                              "DTSTART;TZID=Europe/Berlin:20270403T150000",
                              "DTEND;TZID=Europe/Berlin:20270403T160000"))
    assert got.hours == [utc(2027, 4, 1, 8), utc(2027, 4, 3, 13), utc(2027, 4, 4, 8)]
    assert got.events == 2


def test_an_event_blocks_every_hour_it_overlaps_even_partly_and_half_hour_zones_show_it() -> None:
    got = read(event("DTSTART;TZID=Asia/Kolkata:20270310T100000",
                     "DTEND;TZID=Asia/Kolkata:20270310T110000"))
    assert got.hours == [utc(2027, 3, 10, 4), utc(2027, 3, 10, 5)]  # 04:30–05:30 UTC


def test_an_all_day_event_blocks_the_person_s_local_day() -> None:
    got = read(event("DTSTART;VALUE=DATE:20270310", "DTEND;VALUE=DATE:20270311"), zone=NEW_YORK)
    assert got.hours == hours(utc(2027, 3, 10, 5), 24)
    spring_forward = read(event("DTSTART;VALUE=DATE:20270314", "DTEND;VALUE=DATE:20270315"),
                          zone=NEW_YORK)
    assert spring_forward.hours == hours(utc(2027, 3, 14, 5), 23)


@pytest.mark.parametrize("line", ["TRANSP:TRANSPARENT", "STATUS:CANCELLED",
                                  f"ATTENDEE;PARTSTAT=DECLINED:mailto:{EMAIL.upper()}"])
def test_free_cancelled_and_declined_events_do_not_block(line: str) -> None:
    got = read(event("DTSTART:20270310T150000Z", "DTEND:20270310T160000Z", line))
    assert got.hours == [] and got.events == 1


def test_someone_else_declining_does_not_free_the_person() -> None:
    got = read(event("DTSTART:20270310T150000Z", "DTEND:20270310T160000Z",
                     "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@example.com",
                     f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{EMAIL}"))
    assert got.hours == [utc(2027, 3, 10, 15)]


def test_this_service_s_own_interviews_and_instant_events_block_nothing() -> None:
    own = event("DTSTART:20270310T150000Z", "DTEND:20270310T160000Z", uid="interview-1@ic")
    instant = event("DTSTART:20270311T150000Z", "DTEND:20270311T150000Z", uid="e2")
    assert read(own + "\n" + instant, own=frozenset({"interview-1@ic"})).hours == []


def test_events_outside_the_window_are_not_counted_as_busy() -> None:
    got = read(event("DTSTART:20270201T150000Z", "DTEND:20270201T160000Z") + "\n"
               + event("DTSTART:20270601T150000Z", "DTEND:20270601T160000Z", uid="e2"))
    assert got.hours == [] and got.events == 2


def test_what_is_not_icalendar_is_a_clear_error() -> None:
    for junk in (b"<html>not a calendar</html>", b"", b"BEGIN:VCARD\r\nEND:VCARD\r\n"):
        with pytest.raises(Invalid, match="iCalendar"):
            busy_hours(junk, Reader(BERLIN, ZoneInfo("UTC"), EMAIL, frozenset(), START, END))


def test_more_events_than_the_bound_is_an_error() -> None:
    many = "\n".join(event("DTSTART:20270310T150000Z", "DTEND:20270310T160000Z", uid=f"e{n}")
                     for n in range(MAX_EVENTS + 1))
    with pytest.raises(Invalid, match="100,000"):
        read(many)


def test_a_rule_that_repeats_every_second_is_refused_not_expanded_for_ever() -> None:
    with pytest.raises(Invalid, match="repeats too often"):
        read(event("DTSTART:20270301T000000Z", "DTEND:20270301T000001Z", "RRULE:FREQ=SECONDLY"))


def test_an_event_of_zero_duration_inside_an_hour_blocks_nothing() -> None:
    got = read(event("DTSTART:20270310T101500Z", "DTEND:20270310T101500Z"))
    assert got.hours == [] and got.events == 1
