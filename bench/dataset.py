"""The reproducible dataset: people and the hours they are free, from a seed.

Each person is free in one block of consecutive working hours a day, of Binomial(8, share)
hours, so the share of free hours is `share` on average and ranges stay few (as people
publish them). Three windows of four weeks each: `main` (30 % free), `tight` (4 % free:
capacity binds) and `writes` (empty, filled by the small-writes measurement).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.sizes import Size
from scheduling.hours import HOUR, Range

DAY_STARTS_AT = 9  # UTC
HOURS_A_DAY = 8
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    days: tuple[datetime, ...]  # the first working hour of each working day

    def hours(self) -> list[datetime]:
        return [day + k * HOUR for day in self.days for k in range(HOURS_A_DAY)]


@dataclass(frozen=True)
class Dataset:
    size: Size
    roles: tuple[str, ...]  # per person, interviewers first
    main: Window
    tight: Window
    writes: Window
    free: dict[str, list[list[Range]]]  # window name → per person, their free ranges

    @property
    def interviewers(self) -> range:
        return range(self.size.interviewers)

    @property
    def candidates(self) -> range:
        return range(self.size.interviewers, len(self.roles))

    def email(self, person: int) -> str:
        return f"bench-{self.roles[person]}-{person}@example.com"


def _window(first_monday: datetime, week: int, days: int) -> Window:
    start = first_monday + week * WEEK
    working = [start + timedelta(days=d) + DAY_STARTS_AT * HOUR
               for d in range(days * 7 // 5 + 7) if (start + timedelta(days=d)).weekday() < 5]
    chosen = tuple(working[:days])
    return Window(start, chosen[-1] + timedelta(days=1) - DAY_STARTS_AT * HOUR, chosen)


def _blocks(rng: random.Random, window: Window, share: float) -> list[Range]:
    ranges = []
    for day in window.days:
        length = sum(rng.random() < share for _ in range(HOURS_A_DAY))
        if length:
            first = day + rng.randrange(HOURS_A_DAY - length + 1) * HOUR
            ranges.append(Range(first, first + length * HOUR))
    return ranges


def generate(size: Size, now: datetime) -> Dataset:
    """The dataset of `size`, the same for the same seed; windows start the Monday after next."""
    rng = random.Random(size.seed)
    today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), UTC)
    first_monday = today + timedelta(days=7 - today.weekday()) + WEEK
    weeks = -(-size.days // 5)
    main, tight, writes = (_window(first_monday, k * weeks, size.days) for k in range(3))
    roles = ("interviewer",) * size.interviewers + ("candidate",) * size.candidates
    return Dataset(size, roles, main, tight, writes, {
        "main": [_blocks(rng, main, size.free) for _ in roles],
        "tight": [_blocks(rng, tight, size.tight_free) for _ in roles],
    })
