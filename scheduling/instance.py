"""A match's input indexed once for every solver: people by id, hours by time, and each
interviewer's limits as a forest (a limit's parent is the next one around it).

Only limits that this match could use up are kept: one with more room than the interviewer
has free hours inside it never binds, nor ever reads "no room left". A limit with no room
keeps the interviewer out of its hours from the start: those pairs are left out of `open_at`
instead of being carried as a limit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from scheduling.problem import Person, Requirement
from scheduling.requirements import Places

_UNSET = -2  # a limit's parent, until its hours are read


@dataclass(frozen=True)
class Instance:
    candidates: list[Person]  # by id
    interviewers: list[Person]  # by id
    places: Places
    hours: list[int]  # Unix seconds of the hours some interviewer is free at, ascending
    index: dict[int, int]  # Unix seconds → position in hours
    open_at: list[list[int]]  # per hour, who is free then, less whom a limit of room 0 shuts out
    open_chains: list[list[tuple[int, tuple[int, ...]]]]  # per hour, open_at with their limits
    at_hour: list[list[int]]  # per hour, the candidates free then
    formable: list[bool]  # per hour: open_at can form one panel
    signature: list[int]  # per interviewer (scheduling.requirements)
    chains: list[dict[int, tuple[int, ...]]]  # per interviewer: hour → its limits, innermost first
    rooms: list[int]  # per limit
    parents: list[int]  # per limit: the limit around it, or -1
    owners: list[int]  # per limit: its interviewer

    @property
    def limited(self) -> bool:
        """Whether a limit ties hours together (else every hour is a problem of its own)."""
        return bool(self.rooms)

    def candidate_hours(self, c: int) -> list[int]:
        """Candidate c's free hours that some interviewer is free at too, caps aside."""
        return [self.index[hour] for hour in self.candidates[c].free if hour in self.index]

    def offset(self, h: int) -> int:
        """Hours from the first hour to hour h: what start times are summed as."""
        return (self.hours[h] - self.hours[0]) // 3600

    def unused_rooms(self, seats: Iterable[tuple[int, int]]) -> list[int]:
        """Every limit's room left once the (interviewer, hour) seats are counted."""
        left = list(self.rooms)
        for i, h in seats:
            for limit in self.chains[i].get(h, ()):
                left[limit] -= 1
        return left


def build(candidates: Sequence[Person], interviewers: Sequence[Person],
          requirements: Iterable[Requirement], max_panel_size: int | None) -> Instance:
    """Index the input; the same input in any order gives the same instance."""
    cands = sorted(candidates, key=lambda p: p.id)
    pool = sorted(interviewers, key=lambda p: p.id)
    places = Places(requirements, max_panel_size)
    by_hour: defaultdict[int, list[int]] = defaultdict(list)
    for i, person in enumerate(pool):
        for hour in person.free:
            by_hour[hour].append(i)
    hours = sorted(by_hour)
    index = {hour: h for h, hour in enumerate(hours)}
    free_at = [by_hour[hour] for hour in hours]
    at_hour: list[list[int]] = [[] for _ in hours]
    for c, cand in enumerate(cands):
        for h in map(index.get, cand.free):
            if h is not None:
                at_hour[h].append(c)

    rooms: list[int] = []
    parents: list[int] = []
    owners: list[int] = []
    chains: list[dict[int, tuple[int, ...]]] = []
    blocked: set[tuple[int, int]] = set()
    for i, person in enumerate(pool):
        chain, shut = _forest(i, person, index, rooms, parents, owners)
        chains.append(chain)
        blocked.update((i, h) for h in shut)
    open_at = [[i for i in free if (i, h) not in blocked] if blocked else free
               for h, free in enumerate(free_at)]
    open_chains = [[(i, chains[i].get(h, ())) for i in members]
                   for h, members in enumerate(open_at)]
    signature = [places.signature(p.tags) for p in pool]
    formable = [places.most_panels(Counter(signature[i] for i in members),
                                   places.smallest()) > 0 for members in open_at]
    return Instance(cands, pool, places, hours, index, open_at, open_chains, at_hour,
                    formable, signature, chains, rooms, parents, owners)


def _forest(i: int, person: Person, index: dict[int, int], rooms: list[int],
            parents: list[int], owners: list[int]) -> tuple[dict[int, tuple[int, ...]], set[int]]:
    """Interviewer i's limits that can be used up, appended to the flat lists; returns its
    hour → limits (innermost first) and the hours a limit without room shuts. Sorted by
    size, the limits holding an hour must each be the parent of the one before: else two of
    them overlap without nesting."""
    if not person.limits:
        return {}, set()
    free = frozenset(person.free)
    kept: list[tuple[int, int, frozenset[int]]] = []
    shut: set[int] = set()
    for limit in person.limits:
        if limit.room < 0:
            raise ValueError(f"a limit of {person.id} has negative room")
        inside = free.intersection(limit.hours)
        if limit.room == 0:
            shut.update(index[hour] for hour in inside)
        elif limit.room <= len(inside):
            kept.append((len(inside), limit.room, inside))
    kept.sort(key=itemgetter(0, 1))  # equal sizes: one set, or disjoint ones
    around: dict[int, tuple[int, ...]] = {}
    for _, room, inside in kept:
        new = len(rooms)
        rooms.append(room)
        owners.append(i)
        parents.append(_UNSET)
        for hour in inside:
            around[hour] = (*around.get(hour, ()), new)
    for chain in around.values():
        for inner, outer in zip(chain, (*chain[1:], -1), strict=True):
            if parents[inner] == _UNSET:
                parents[inner] = outer
            elif parents[inner] != outer:
                raise ValueError(f"the limits of {person.id} are not laminar")
    return {index[hour]: chain for hour, chain in around.items()}, shut
