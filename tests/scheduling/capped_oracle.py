"""A brute-force oracle for matches under limits and requirements, and a checker of the
rules every match must keep, both written from SPEC's words rather than the solver's model:
panels are explicit partitions, requirements explicit assignments of places."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from itertools import chain, combinations, product

from scheduling.match import Match, Person, Requirement

Key = tuple[int, int, int]  # scheduled, smallest panel, minus the sum of start hours


def fills(tags: Sequence[frozenset[str]], requirements: Sequence[Requirement]) -> bool:
    """Whether members carrying `tags` fill every place, one member one place."""
    places = [r.tags for r in requirements for _ in range(r.count)]

    def place(n: int, used: frozenset[int]) -> bool:
        if n == len(places):
            return True
        return any(place(n + 1, used | {m}) for m, carried in enumerate(tags)
                   if m not in used and places[n] <= carried)

    return place(0, frozenset())


def oracle(cands: Sequence[Person], pool: Sequence[Person], cap: int | None,
           requirements: Sequence[Requirement], base: int) -> Key:
    """The best key over every schedule: each candidate at one of its free hours or none,
    each set of seats within the limits, each split of an hour's seats into its panels."""
    tags = {p.id: p.tags for p in pool}

    @cache
    def smallest(seated: frozenset[str], k: int) -> int:
        """The largest smallest panel of k panels of exactly `seated`, or -1 if none."""
        members = sorted(seated)
        best = -1
        for split in product(range(k), repeat=len(members)):
            panels = [[m for m, s in zip(members, split, strict=True) if s == p]
                      for p in range(k)]
            if all(panels) and all(cap is None or len(p) <= cap for p in panels) and all(
                    fills([tags[m] for m in p], requirements) for p in panels):
                best = max(best, min(len(p) for p in panels))
        return best

    def seatings(counts: dict[int, int]) -> int:
        """The largest smallest panel over seatings within the limits, or -1."""
        hours = sorted(counts)
        options = [[frozenset(s) for n in range(len(free) + 1)
                    for s in combinations(free, n)]
                   for free in ([p.id for p in pool if h in p.free] for h in hours)]
        best = -1
        for choice in product(*options):
            used = Counter((m, h) for h, seated in zip(hours, choice, strict=True)
                           for m in seated)
            if any(sum(used[p.id, h] for h in limit.hours) > limit.room
                   for p in pool for limit in p.limits):
                continue
            best = max(best, min(smallest(s, counts[h])
                                 for h, s in zip(hours, choice, strict=True)))
        return best

    reachable = {h for p in pool for h in p.free}
    choices = [[None, *sorted(set(c.free) & reachable)] for c in cands]
    shapes = {tuple(sorted(Counter(h for h in pick if h is not None).items()))
              for pick in product(*choices)}
    best: Key = (0, 0, 0)
    for shape in shapes:
        if shape:
            counts = dict(shape)
            p = seatings(counts)
            if p > 0:
                best = max(best, (sum(counts.values()), p,
                                  -sum((h - base) // 3600 * k for h, k in shape)))
    return best


def score(match: Match, base: int) -> Key:
    sizes = [len(i.interviewers) for i in match.interviews]
    return (len(match.interviews), min(sizes, default=0),
            -sum((int(i.start.timestamp()) - base) // 3600 for i in match.interviews))


def check(match: Match, cands: Sequence[Person], pool: Sequence[Person], cap: int | None,
          requirements: Sequence[Requirement]) -> None:
    """Guarantees 1 and 4, and the reasons, on the match itself (SPEC §4, §5)."""
    people = {p.id: p for p in (*cands, *pool)}
    seen: Counter[tuple[str, datetime]] = Counter()
    used: Counter[tuple[str, int]] = Counter()
    for interview in match.interviews:
        start = int(interview.start.timestamp())
        assert interview.interviewers, "a panel needs an interviewer"
        assert cap is None or len(interview.interviewers) <= cap
        assert fills([people[m].tags for m in interview.interviewers], requirements)
        for person in (interview.candidate, *interview.interviewers):
            assert start in people[person].free
            seen[person, interview.start] += 1
        used.update((m, start) for m in interview.interviewers)
    assert max(seen.values(), default=1) == 1, "someone sits twice in one hour"
    scheduled = [i.candidate for i in match.interviews]
    assert len(scheduled) == len(set(scheduled))

    def left(limit_hours: frozenset[int], room: int, person: str) -> int:
        return room - sum(used[person, h] for h in limit_hours)

    def kept_out(p: Person, hour: int) -> bool:
        return any(left(limit.hours, limit.room, p.id) <= 0
                   for limit in p.limits if hour in limit.hours)

    for p in pool:
        assert all(left(limit.hours, limit.room, p.id) >= 0 for limit in p.limits)
    for hour in {i.start for i in match.interviews}:
        panels = [i for i in match.interviews if i.start == hour]
        sizes = [len(i.interviewers) for i in panels]
        assert max(sizes) - min(sizes) <= 1
        seated = set(chain.from_iterable(i.interviewers for i in panels))
        full = cap is not None and min(sizes) == cap
        for p in pool:
            stamp = int(hour.timestamp())
            if stamp in p.free and p.id not in seated:
                assert full or kept_out(p, stamp), f"{p.id} could sit at {hour}"
    for miss in match.unscheduled:
        cand = people[miss.candidate]
        hours = [h for h in cand.free if any(h in p.free for p in pool)]
        uncapped = [[p for p in pool if h in p.free and not kept_out(p, h)] for h in hours]
        expected = ("no_free_hour" if not cand.free else
                    "no_interviewer" if not hours else
                    "cap_reached" if not any(uncapped) else
                    "requirements" if not any(
                        (cap is None or cap >= max(1, sum(r.count for r in requirements)))
                        and _one_panel(group, requirements) for group in uncapped) else
                    "capacity")
        assert miss.reason == expected, (miss, expected)
    assert len(match.unscheduled) + len(match.interviews) == len(cands)


def _one_panel(group: Sequence[Person], requirements: Sequence[Requirement]) -> bool:
    return bool(group) and fills([p.tags for p in group], requirements)
