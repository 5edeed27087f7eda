"""When interviews can take place: the three cases of SPEC §4 Slots, for one hour at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from scheduling.hours import HOUR
from scheduling.panels import propose


@dataclass(frozen=True)
class Slot:
    start: datetime
    candidates: tuple[str, ...]
    interviewers: tuple[str, ...]
    panels: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def end(self) -> datetime:
        return self.start + HOUR


def slot_at(start: datetime, *, candidate: str | None, named: Sequence[str],
            free_candidates: Sequence[str], free_interviewers: Sequence[str]) -> Slot | None:
    """The slot at `start`, or None when the hour does not qualify.

    `free_*` are the people of each role free at that hour (for the candidate-only case, every
    free interviewer; for the interviewers-only case, every free candidate).
    - candidate and interviewers: the candidate and all named interviewers are free;
    - candidate only: the candidate and at least one interviewer are free;
    - interviewers only: all named interviewers and at least one candidate are free.
    """
    if candidate is None and not named:
        raise ValueError("a slot query names a candidate, interviewers, or both")
    if candidate is not None and candidate not in free_candidates:
        return None
    if named and not set(named) <= set(free_interviewers):
        return None
    cands = (candidate,) if candidate is not None else tuple(sorted(free_candidates))
    ints = tuple(sorted(named)) if named else tuple(sorted(free_interviewers))
    if not cands or not ints:
        return None
    return Slot(start, cands, ints, tuple(propose(cands, ints)))
