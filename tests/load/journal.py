"""What the load clients sent and what they were answered: the record the checks read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.load.conftest import HOUR


@dataclass(frozen=True)
class Answer:
    """One request's outcome, kept for the figures and for the check of answers."""

    kind: str
    status: int | str  # a status code, or the name of the exception instead of an answer
    seconds: float


@dataclass(frozen=True)
class Write:
    """An availability job a client submitted for a block of hours only it writes."""

    job: str
    kind: str  # add | remove
    person: str
    start: datetime
    hours: int

    def hour_set(self) -> set[datetime]:
        return {self.start + k * HOUR for k in range(self.hours)}


@dataclass
class Journal:
    """What the clients sent and what they were answered."""

    answers: list[Answer] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    bookings: dict[str, dict[str, Any]] = field(default_factory=dict)  # answered 201
    cancelled: set[str] = field(default_factory=set)  # answered 204
    matches: list[str] = field(default_factory=list)
    replays: list[tuple[str, str | None, bool]] = field(default_factory=list)  # id, again, header

    def extend(self, other: Journal) -> None:
        self.answers += other.answers
        self.writes += other.writes
        self.bookings.update(other.bookings)
        self.cancelled |= other.cancelled
        self.matches += other.matches
        self.replays += other.replays

    def jobs(self) -> set[str]:
        return {w.job for w in self.writes} | set(self.matches)
