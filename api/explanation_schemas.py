"""The answer of GET /v1/slots/explain (SPEC §5 "Why there is no slot")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.schemas import Instant, Output


class PersonHours(Output):
    id: str
    offered_hours: int = Field(description="hours of the window offered, booked ones included")
    booked_hours: int
    busy_hours: int = Field(description="offered, not booked, busy in the person's calendars")
    capped_hours: int = Field(
        description="offered, neither booked nor busy, in a day or week at a load cap")
    free_hours: int = Field(description="offered − booked − busy − capped")


class Missing(Output):
    id: str
    reason: Literal["not_offered", "booked", "busy", "cap_reached"] = Field(
        description="the first of these that applies")


class NearMiss(Output):
    start: Instant
    end: Instant
    missing: list[Missing] = Field(description="who is not free then, in the order of `people`")


class Explanation(Output):
    people: list[PersonHours] = Field(
        description="the candidate first, then the interviewers in the order named")
    near_misses: list[NearMiss] = Field(
        description="hours where not everyone is free: fewest missing first, then earliest; "
                    "at most 20")
