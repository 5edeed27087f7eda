"""Why there is no slot (SPEC §5): each person's hours of a window counted by what keeps them
from being free, and the hours that come nearest to a slot."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from scheduling.hours import HOUR

NOT_OFFERED = "not_offered"
NEAR_MISSES = 20


@dataclass(frozen=True)
class PersonHours:
    """A person's hours of the window: offered (booked included), and of those the booked,
    the busy (not booked) and the capped (neither booked nor busy)."""

    person: str
    offered: int
    booked: int
    busy: int
    capped: int

    @property
    def free(self) -> int:
        return self.offered - self.booked - self.busy - self.capped


@dataclass(frozen=True)
class NearMiss:
    """An hour where not everyone is free: who is missing, and why, in the people's order."""

    start: datetime
    missing: tuple[tuple[str, str], ...]

    @property
    def end(self) -> datetime:
        return self.start + HOUR


@dataclass(frozen=True)
class Explanation:
    people: tuple[PersonHours, ...]
    near_misses: tuple[NearMiss, ...]


def explain(hours: Iterable[datetime], offered: Mapping[str, Mapping[datetime, str | None]],
            limit: int = NEAR_MISSES) -> Explanation:
    """The counts of each person, in the order of `offered`, and the `limit` hours of `hours`
    (the window's) with the fewest people missing, fewest first, then earliest.

    `offered` maps each person to their offered hours of the window, each with the first reason
    it is not free (`booked`, `busy`, `cap_reached`) or None when it is free; an hour missing
    there is `not_offered`. An hour where everyone is free is a slot, never a near miss.

    Complexity: O(P·H + H·log limit) for P people and H hours; a heap keeps the best `limit`.
    """
    free_at = Counter(at for reasons in offered.values()
                      for at, reason in reasons.items() if reason is None)
    n = len(offered)
    nearest = heapq.nsmallest(limit, ((n - free_at[at], at) for at in hours
                                      if free_at[at] < n))
    return Explanation(
        people=tuple(_counted(person, reasons.values()) for person, reasons in offered.items()),
        near_misses=tuple(NearMiss(at, tuple(
            (person, reason) for person, reasons in offered.items()
            if (reason := reasons.get(at, NOT_OFFERED)) is not None)) for _, at in nearest))


def _counted(person: str, reasons: Iterable[str | None]) -> PersonHours:
    counts = Counter(reasons)
    return PersonHours(person, offered=counts.total(), booked=counts["booked"],
                       busy=counts["busy"], capped=counts["cap_reached"])
