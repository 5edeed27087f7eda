"""The match as flows, when hours are independent (no limit ties them): schedule as many
candidates as possible, with panels as large as possible, earliest.

Model. Interviewers are not used up across hours, so hours only interact through candidates
(each scheduled at most once). Let u_h(p) be the most panels of at least p seats hour h can
hold: ⌊f(h)/p⌋ with f(h) free interviewers, and with requirements the least of that and
Hall's bounds (scheduling.requirements), which do not depend on p. A smallest panel of at
least p is possible exactly when every hour holds k ≤ u_h(p) interviews. So a schedule is a
flow source → candidate (capacity 1) → hour where the candidate is free (capacity 1) → sink,
with hour capacity u_h(p).

Why it is optimal.
- Guarantee 2: with p = 1 the hour capacities are the only limit there is; a maximum flow K
  is the most candidates any schedule can take.
- Guarantee 3: the maximum flow with capacities u_h(p) does not grow with p, so a binary
  search finds the largest p* (≤ max_panel_size) that still admits K; every schedule of K
  candidates with smallest panel ≥ p* is such a flow, and none exists for p* + 1. No p above
  Σf / K admits K (then Σ⌊f/p⌋ < K): the search starts below that bound.
- Guarantee 5: among those flows, a min-cost flow of K units with arc costs offset(hour) on
  candidate → hour and rank(candidate) on source → candidate has the least sum of start times
  and, among those, the least sum of ranks (smaller ids first). No weight between the two is
  needed: by the Mendelsohn–Dulmage theorem the candidates of one such flow and the hours of
  another are covered by a single one, so both least sums are reached together, and the total
  is least exactly there. The network depends only on who is free when (people sorted by id,
  arcs grouped by hour), not on the order of the input, and OR-Tools is deterministic: the
  same calendar gives the same match.
- Guarantee 4 is then a per-hour split: seats = min(f, k · max_panel_size), sizes differing
  by at most one and ≥ ⌊f/k⌋ ≥ p*, so the split keeps guarantee 3.

The usual case needs no maximum flow: when every candidate free at an hour with an interviewer
(R of them) fits, K = R, p* is the bound Σf / R itself (capped), and every such flow schedules
the same candidates (no rank costs: smaller costs take cost scaling fewer phases). So the
solver first asks for a min-cost flow of R units at that bound; only if the capacities cannot
carry it does it compute K by maximum flow and search p* (1 + ⌈log₂ bound⌉ maximum flows),
then solve the min-cost flow of K. Networks have C + H + 2 nodes and R + E + H arcs
(E = candidate-hour pairs), solved by OR-Tools' network-flow code in C++; the arcs are handed
over in bulk.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from itertools import chain, compress
from typing import Any

from ortools.graph.python import max_flow, min_cost_flow

Capacities = Callable[[int], list[int]]  # the panel size p → each hour's most panels


class Network:
    """source → candidates → hours → sink; only hour capacities and costs change per solve.

    Arcs are handed over in bulk, as typed arrays (OR-Tools copies them without converting a
    Python object per element): a match of thousands of candidates over weeks has hundreds of
    thousands of candidate-hour arcs. They are grouped by hour, so an hour's arcs share one
    head and one cost, and are built by repetition rather than one by one.
    """

    def __init__(self, n_candidates: int, at_hour: Sequence[Sequence[int]],
                 offsets: Sequence[int]) -> None:
        n, n_hours = n_candidates, len(at_hour)
        # nodes: candidates 0..n-1, hours n..n+H-1, then the source and the sink
        self.source, self.sink = n + n_hours, n + n_hours + 1
        self.at_hour, self.offsets = at_hour, offsets
        self.pair_candidates = array("i", chain.from_iterable(at_hour))
        self.pair_hours = _repeated("i", range(n_hours), at_hour)
        self.reachable = sorted(set(self.pair_candidates))
        # source → reachable candidate, candidate → hour (capacity 1 each), hour → sink
        self.tails = (array("i", [self.source]) * len(self.reachable) + self.pair_candidates
                      + array("i", range(n, n + n_hours)))
        self.heads = (array("i", self.reachable) + _repeated("i", range(n, n + n_hours), at_hour)
                      + array("i", [self.sink]) * n_hours)
        self.units = array("q", [1]) * (len(self.reachable) + len(self.pair_candidates))

    @cached_property
    def _max_flow(self) -> tuple[max_flow.SimpleMaxFlow, Any]:
        """The maximum-flow graph and its hour arcs, built at the first use: the usual case
        needs none."""
        graph = max_flow.SimpleMaxFlow()
        arcs = graph.add_arcs_with_capacity(
            self.tails, self.heads, self.units + array("q", [0]) * len(self.at_hour))
        return graph, arcs[len(self.units):]

    def max_flow(self, capacities: Sequence[int]) -> int:
        graph, hour_arcs = self._max_flow
        graph.set_arcs_capacity(hour_arcs, array("q", capacities))
        if graph.solve(self.source, self.sink) != graph.OPTIMAL:
            raise RuntimeError("maximum flow failed")
        return int(graph.optimal_flow())

    def min_cost(self, capacities: Sequence[int], supply: int) -> list[int] | None:
        """The pairs (indices) that a min-cost flow of `supply` units uses, or None when the
        capacities cannot carry that many. Ranks cost only when some reachable candidate must
        be left out: otherwise every such flow schedules all of them."""
        everyone = supply == len(self.reachable)
        ranks = array("q", [0]) * len(self.reachable) if everyone else array("q", self.reachable)
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(
            self.tails, self.heads, self.units + array("q", capacities),
            ranks + _repeated("q", self.offsets, self.at_hour)
            + array("q", [0]) * len(self.at_hour))
        flow.set_node_supply(self.source, supply)
        flow.set_node_supply(self.sink, -supply)
        status = flow.solve()
        if status == flow.INFEASIBLE:
            return None
        if status != flow.OPTIMAL:
            raise RuntimeError("min-cost flow failed")
        pairs = arcs[len(self.reachable):len(self.units)]
        return list(compress(range(len(self.pair_candidates)), flow.flows(pairs)))


def _repeated(typecode: str, values: Iterable[int], groups: Sequence[Sequence[int]]) -> array[int]:
    """Each value as many times as its group has members, in one typed array."""
    out = array(typecode)
    for value, group in zip(values, groups, strict=True):
        out += array(typecode, [value]) * len(group)
    return out


def _bound(free: Sequence[int], target: int, cap: int) -> int:
    """The largest smallest panel that could carry `target` candidates: Σ⌊f/p⌋ < target above
    Σf / target, and no panel is larger than the most free interviewers or `cap`."""
    return max(1, min(cap, max(free), sum(free) // max(target, 1)))


def _largest_panel(network: Network, free: Sequence[int], target: int, cap: int,
                   capacities: Capacities) -> int:
    """The largest p ≤ cap whose capacities still admit `target` candidates."""
    low, high = 1, _bound(free, target, cap)
    while low < high:
        mid = (low + high + 1) // 2
        if network.max_flow(capacities(mid)) == target:
            low = mid
        else:
            high = mid - 1
    return low


def schedule(network: Network, free: Sequence[int], cap: int,
             capacities: Capacities | None = None) -> list[int]:
    """The pairs of a schedule with guarantees 2, 3 and 5: at once when every reachable
    candidate fits at the bound's panel, else after the maximum flow and the panel search.
    `capacities` defaults to ⌊f/p⌋ (no requirements)."""
    def split(p: int) -> list[int]:
        return [f // p for f in free]

    at = capacities or split
    everyone = len(network.reachable)
    panel = _bound(free, everyone, cap)
    chosen = network.min_cost(at(panel), everyone)
    if chosen is None:
        target = network.max_flow(at(1))
        panel = _largest_panel(network, free, target, cap, at)
        chosen = network.min_cost(at(panel), target)
        if chosen is None:
            raise RuntimeError("min-cost flow infeasible where a maximum flow was found")
    return chosen
