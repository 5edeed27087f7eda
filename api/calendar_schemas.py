"""Request and response bodies of people's calendars (SPEC §5 "Calendars")."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from api.schemas import Input, Instant, Output, TargetUrl


def _webcal_as_https(value: object) -> object:
    """`webcal://` is how calendar apps link a feed; it is read over https."""
    if isinstance(value, str) and value[:9].lower() == "webcal://":
        return "https://" + value[9:]
    return value


FeedUrl = Annotated[TargetUrl, BeforeValidator(_webcal_as_https)]


class CalendarIn(Input):
    url: FeedUrl = Field(description="an iCalendar feed: https, http, or webcal (read as https)")
    callback_url: TargetUrl | None = None


class Calendar(Output):
    id: str
    url: str | None = Field(description="null for an upload")
    status: Literal["pending", "ok", "error"] = Field(
        description="`pending` until the first read ends")
    last_synced_at: Instant | None
    last_error: str | None
    events: int = Field(description="VEVENT components read, overridden instances included")
    busy_hours: int = Field(description="busy hours from the next full hour to the horizon")


class Calendars(Output):
    calendars: list[Calendar]
    next: str | None
