"""The match solver: schedule as many candidates as possible, with panels as large as possible.

Model. Interviewers are not used up across hours, so hours only interact through candidates
(each scheduled at most once). Putting k interviews in an hour with f free interviewers allows
a smallest panel of ⌊f/k⌋ (capped by max_panel_size), and a smallest panel of at least p is
possible exactly when k ≤ ⌊f/p⌋. So a schedule is a flow source → candidate (capacity 1) →
hour where the candidate is free (capacity 1) → sink, with hour capacity ⌊f(h)/p⌋.

Why it is optimal.
- Guarantee 2: with p = 1 the hour capacities are f(h), the only limit there is (a panel needs
  one interviewer); a maximum flow K is the most candidates any schedule can take.
- Guarantee 3: the maximum flow with capacities ⌊f(h)/p⌋ does not grow with p, so a binary
  search finds the largest p* (≤ max_panel_size) that still admits K; every schedule of K
  candidates with smallest panel ≥ p* is such a flow, and none exists for p* + 1.
- Guarantee 5: among those flows, a min-cost maximum flow with arc cost
  offset(hour) · W + rank(candidate), W larger than any sum of ranks, minimises the sum of
  start times first, then prefers candidates with smaller ids; the solver is deterministic
  for the same input order, which is sorted by id.
- Guarantee 4 is then a per-hour split (scheduling.panels): seats = min(f, k · max_panel_size)
  dealt round-robin, the least-loaded interviewers first. Sizes differ by at most one and
  are ≥ ⌊f/k⌋ ≥ p*, so the split keeps guarantee 3.
Complexity: 1 + ⌈log₂ min(max f, Σf / K)⌉ maximum flows and one min-cost flow on C + H + 2
nodes and C + E + H arcs (E = candidate-hour pairs), solved by OR-Tools' network-flow code in
C++; the arcs are handed over in bulk.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ortools.graph.python import max_flow, min_cost_flow

from scheduling.hours import HOUR
from scheduling.panels import propose

Reason = Literal["no_free_hour", "no_interviewer", "capacity"]


@dataclass(frozen=True)
class Person:
    """Someone and the hours they are free (available and not booked) in the window."""

    id: str
    free: frozenset[datetime]


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
class Stats:
    candidates: int
    scheduled: int
    min_panel: int | None
    max_panel: int | None


@dataclass(frozen=True)
class Match:
    interviews: tuple[Interview, ...]
    unscheduled: tuple[Unscheduled, ...]
    stats: Stats


class _Network:
    """source → candidates → hours → sink, built once; hour capacities change per query.

    Arcs are added in bulk (one call per kind, not one per arc): a match of thousands of
    candidates over weeks has hundreds of thousands of candidate-hour arcs.
    """

    def __init__(self, n_candidates: int, n_hours: int, pairs: Sequence[tuple[int, int]]) -> None:
        self.n_candidates, self.n_hours, self.pairs = n_candidates, n_hours, pairs
        self.source, self.sink = 0, n_candidates + n_hours + 1
        first_hour = 1 + n_candidates
        # source → candidate, then candidate → hour: capacity 1 each, in both networks
        self.tails = [self.source] * n_candidates + [1 + c for c, _ in pairs]
        self.heads = [1 + c for c in range(n_candidates)] + [first_hour + h for _, h in pairs]
        self.ones = [1] * len(self.tails)
        self.hour_nodes = [first_hour + h for h in range(n_hours)]
        self.graph = max_flow.SimpleMaxFlow()
        self.graph.add_arcs_with_capacity(self.tails, self.heads, self.ones)
        self.hour_arcs = self.graph.add_arcs_with_capacity(
            self.hour_nodes, [self.sink] * n_hours, [0] * n_hours)

    def max_flow(self, capacities: Sequence[int]) -> int:
        self.graph.set_arcs_capacity(self.hour_arcs, list(capacities))
        if self.graph.solve(self.source, self.sink) != self.graph.OPTIMAL:
            raise RuntimeError("maximum flow failed")
        return int(self.graph.optimal_flow())

    def min_cost_assignment(self, capacities: Sequence[int],
                            offsets: Sequence[int]) -> list[tuple[int, int]]:
        """The (candidate, hour) pairs of a min-cost maximum flow."""
        weight = self.n_candidates * self.n_candidates + 1
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.ones,
            [0] * self.n_candidates + [offsets[h] * weight + c for c, h in self.pairs])
        flow.add_arcs_with_capacity_and_unit_cost(
            self.hour_nodes, [self.sink] * self.n_hours, list(capacities), [0] * self.n_hours)
        flow.set_node_supply(self.source, self.n_candidates)  # more than can ever flow
        flow.set_node_supply(self.sink, -self.n_candidates)
        if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
            raise RuntimeError("min-cost flow failed")
        used = flow.flows(arcs[self.n_candidates:])
        return [pair for pair, f in zip(self.pairs, used, strict=True) if f]


def _largest_panel(network: _Network, free: Sequence[int], target: int, cap: int) -> int:
    """The largest p ≤ cap whose capacities ⌊f/p⌋ still admit `target` candidates.

    No p above Σf / target can: then Σ⌊f/p⌋ < target. That bound keeps the search to a few
    maximum flows where thousands of interviewers are free.
    """
    low, high = 1, max(1, min(cap, max(free), sum(free) // max(target, 1)))
    while low < high:
        mid = (low + high + 1) // 2
        if network.max_flow([f // mid for f in free]) == target:
            low = mid
        else:
            high = mid - 1
    return low


def solve(candidates: Sequence[Person], interviewers: Sequence[Person],
          max_panel_size: int | None = None) -> Match:
    """Schedule candidates against the interviewer pool with guarantees 1–5 of SPEC §4."""
    cands = sorted(candidates, key=lambda p: p.id)
    free_at: dict[datetime, list[str]] = defaultdict(list)
    for interviewer in sorted(interviewers, key=lambda p: p.id):
        for hour in interviewer.free:
            free_at[hour].append(interviewer.id)
    hours = sorted(free_at)
    index = {hour: h for h, hour in enumerate(hours)}
    pairs = [(c, index[hour]) for c, cand in enumerate(cands)
             for hour in sorted(cand.free) if hour in index]
    free = [len(free_at[hour]) for hour in hours]

    chosen: list[tuple[int, int]] = []
    if pairs:
        network = _Network(len(cands), len(hours), pairs)
        target = network.max_flow(free)
        panel = _largest_panel(network, free, target, max_panel_size or max(free))
        offsets = [(hour - hours[0]) // HOUR for hour in hours]
        chosen = network.min_cost_assignment([f // panel for f in free], offsets)

    by_hour: dict[int, list[str]] = defaultdict(list)
    for c, h in sorted(chosen):
        by_hour[h].append(cands[c].id)
    load: Counter[str] = Counter()
    interviews = []
    for h in sorted(by_hour):
        for candidate, panel_members in propose(by_hour[h], free_at[hours[h]],
                                                max_panel_size=max_panel_size, load=load):
            load.update(panel_members)
            interviews.append(Interview(candidate, hours[h], panel_members))

    scheduled = {c for c, _ in chosen}
    reachable = {c for c, _ in pairs}
    unscheduled = tuple(
        Unscheduled(cand.id, "no_free_hour" if not cand.free else
                    "no_interviewer" if c not in reachable else "capacity")
        for c, cand in enumerate(cands) if c not in scheduled)
    sizes = [len(i.interviewers) for i in interviews]
    return Match(tuple(interviews), unscheduled, Stats(
        candidates=len(cands), scheduled=len(interviews),
        min_panel=min(sizes, default=None), max_panel=max(sizes, default=None)))
