"""What a match takes and gives: people with their free hours, tags and load limits, the
panels' requirements, and the schedule with its stats. Frozen, so a solve cannot change them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from scheduling.hours import HOUR

Reason = Literal["no_free_hour", "no_interviewer", "cap_reached", "requirements", "capacity"]


@dataclass(frozen=True)
class Limit:
    """At most `room` more interviews among `hours` (one local day or week of an interviewer:
    its cap less the interviews already booked then; room >= 0)."""

    hours: frozenset[int]  # Unix seconds of hour starts
    room: int


@dataclass(frozen=True)
class Requirement:
    """Every panel holds `count` distinct interviewers carrying all of `tags`."""

    tags: frozenset[str]
    count: int


@dataclass(frozen=True)
class Person:
    """Someone and the hours they are free (available and not booked) in the window, each once,
    as the Unix time (seconds) of its start: a match reads hundreds of thousands of free hours,
    and a datetime for each would cost more than solving. An interviewer's limits are laminar:
    any two are disjoint or nested (days inside weeks)."""

    id: str
    free: Collection[int]
    tags: frozenset[str] = frozenset()
    limits: tuple[Limit, ...] = ()


@dataclass(frozen=True)
class Interview:
    candidate: str
    start: datetime
    interviewers: tuple[str, ...]

    @property
    def end(self) -> datetime:
        return self.start + HOUR


@dataclass(frozen=True)
class Unscheduled:
    candidate: str
    reason: Reason


@dataclass(frozen=True)
class Bound:
    """What is proven when the match is not proven optimal: no schedule takes more than
    `scheduled` candidates, none of as many has a smallest panel above `min_panel`, and none
    of as many with this smallest panel starts its interviews, in sum, more than
    `start_hours_over` hours earlier than this one."""

    scheduled: int
    min_panel: int | None
    start_hours_over: int


@dataclass(frozen=True)
class Stats:
    candidates: int
    scheduled: int
    min_panel: int | None
    max_panel: int | None
    optimal: bool  # guarantees 2, 3 and 5 are proven, not only aimed at
    bound: Bound | None  # None when optimal


@dataclass(frozen=True)
class Match:
    interviews: tuple[Interview, ...]
    unscheduled: tuple[Unscheduled, ...]
    stats: Stats
