"""The match without limits or requirements: the flows of scheduling.flows, then each hour's
free interviewers split evenly over its panels (scheduling.panels), the least-loaded first."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import chain

from scheduling.flows import Network, schedule
from scheduling.panels import propose
from scheduling.problem import Interview, Match, Person, Stats, Unscheduled

SECONDS_AN_HOUR = 3600


def _panels(by_hour: dict[int, list[str]], hours: Sequence[int],
            free_at: dict[int, list[str]], max_panel_size: int | None) -> list[Interview]:
    """Each hour's interviewers split over its candidates, hour by hour (load carries over)."""
    load: Counter[str] = Counter()
    interviews = []
    for h in sorted(by_hour):
        start = datetime.fromtimestamp(hours[h], UTC)
        panels = propose(by_hour[h], free_at[hours[h]], max_panel_size=max_panel_size,
                         load=load)
        load.update(chain.from_iterable(members for _, members in panels))
        interviews += [Interview(candidate, start, members) for candidate, members in panels]
    return interviews


def solve(candidates: Sequence[Person], interviewers: Sequence[Person],
          max_panel_size: int | None = None) -> Match:
    """Guarantees 1–5 of SPEC §4 when nothing but free hours constrains: always optimal."""
    cands = sorted(candidates, key=lambda p: p.id)
    free_at: dict[int, list[str]] = defaultdict(list)
    for interviewer in sorted(interviewers, key=lambda p: p.id):
        for hour in interviewer.free:
            free_at[hour].append(interviewer.id)
    hours = sorted(free_at)
    index = {hour: h for h, hour in enumerate(hours)}
    at_hour: list[list[int]] = [[] for _ in hours]  # candidates in id order, whatever theirs
    for c, cand in enumerate(cands):
        for h in map(index.get, cand.free):
            if h is not None:
                at_hour[h].append(c)
    free = [len(free_at[hour]) for hour in hours]

    network = Network(len(cands), at_hour,
                      [(hour - hours[0]) // SECONDS_AN_HOUR for hour in hours])
    chosen = schedule(network, free, max_panel_size or max(free)) if network.reachable else []
    by_hour: dict[int, list[str]] = defaultdict(list)
    for pair in chosen:  # by hour, then candidate
        by_hour[network.pair_hours[pair]].append(cands[network.pair_candidates[pair]].id)
    interviews = _panels(by_hour, hours, free_at, max_panel_size)

    scheduled = {network.pair_candidates[pair] for pair in chosen}
    reachable = set(network.reachable)
    unscheduled = tuple(
        Unscheduled(cand.id, "no_free_hour" if not cand.free else
                    "no_interviewer" if c not in reachable else "capacity")
        for c, cand in enumerate(cands) if c not in scheduled)
    sizes = [len(i.interviewers) for i in interviews]
    return Match(tuple(interviews), unscheduled, Stats(
        candidates=len(cands), scheduled=len(interviews),
        min_panel=min(sizes, default=None), max_panel=max(sizes, default=None),
        optimal=True, bound=None))
