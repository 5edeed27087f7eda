"""What no schedule under limits can beat, from relaxations solved as flows: when a
constructed schedule meets a bound, it is proven optimal there (a certificate).

- Candidates (guarantee 2): every panel seats at least one carrier of one requirement's tags
  (any interviewer, without requirements), so keeping one such seat per panel, through the
  interviewer's limits, and at most the panels the hour could hold alone, is a flow:
  source → candidate (1) → hour (its panels) → interviewer-hour (1) → the interviewer's
  limits, innermost first (each its room) → sink. With at most one place a panel it is the
  problem itself: its maximum is the most candidates, and the flow is a schedule.
- Smallest panel (guarantee 3): K panels of at least p seats need K · p seats that the
  limits allow (each interviewer's most seats, up their forest of limits), and the hours
  alone must hold K panels of p seats.
- Start times (guarantee 5): p seats of each of K panels, routed through the limits to hours
  costing their offset, is a min-cost flow of K · p units; a schedule's start times cost p
  times their sum, so the flow's cost / p is a lower bound on it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable

from ortools.graph.python import max_flow, min_cost_flow

from scheduling.instance import Instance
from scheduling.seating import Plan

_ENOUGH = 1 << 40


def _signatures(inst: Instance, active: list[bool]) -> list[Counter[int]]:
    return [Counter(inst.signature[i] for i in members) if active[h] else Counter()
            for h, members in enumerate(inst.open_at)]


class _Arcs:
    """A network's arcs, gathered as plain lists and handed to OR-Tools in bulk."""

    def __init__(self) -> None:
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.caps: list[int] = []
        self.costs: list[int] = []

    def add(self, tail: int, head: int, cap: int, cost: int = 0) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(cap)
        self.costs.append(cost)

    def seats(self, inst: Instance, active: list[bool], source: int, base: int,
              hour_node: Callable[[int], int], eligible: int = 0) -> list[tuple[int, int]]:
        """source → each interviewer's root (node base + len(rooms) + i) → down its limits
        (node base + limit, each its room) → one seat a free hour (capacity 1, costing the
        hour's offset) → hour_node(h); returns the seats' (interviewer, hour) in arc order,
        the seat arcs last. With `eligible`, only interviewers of that signature bit sit."""
        roots = base + len(inst.rooms)
        for i in range(len(inst.interviewers)):
            self.add(source, roots + i, _ENOUGH)
        for limit, room in enumerate(inst.rooms):
            parent = inst.parents[limit]
            self.add(base + parent if parent >= 0 else roots + inst.owners[limit],
                     base + limit, room)
        pairs: list[tuple[int, int]] = []
        for h, members in enumerate(inst.open_chains):
            if active[h]:
                head, cost = hour_node(h), inst.offset(h)
                for i, chain in members:
                    if not eligible or inst.signature[i] & eligible:
                        pairs.append((i, h))
                        self.add(base + chain[0] if chain else roots + i, head, 1, cost)
        return pairs


def most_seats(inst: Instance, active: list[bool]) -> int:
    """The most seats the interviewers can take over the active hours, within their limits:
    up each forest, a limit passes on the least of its room and what its inside can take."""
    inside = [0] * len(inst.rooms)
    total = 0
    for h, members in enumerate(inst.open_chains):
        if active[h]:
            for _, chain in members:
                if chain:
                    inside[chain[0]] += 1
                else:
                    total += 1
    for limit, room in enumerate(inst.rooms):  # a limit's parent comes after it
        passed = min(room, inside[limit])
        if inst.parents[limit] >= 0:
            inside[inst.parents[limit]] += passed
        else:
            total += passed
    return total


def panel_bound(inst: Instance, target: int, active: list[bool]) -> int:
    """The largest smallest panel any schedule of `target` interviews could have."""
    counts = _signatures(inst, active)
    seats = most_seats(inst, active)

    def holds(p: int) -> bool:
        return p * target <= seats and sum(
            min(inst.places.most_panels(counts[h], p), len(inst.at_hour[h]))
            for h in range(len(inst.hours)) if active[h]) >= target

    low = inst.places.smallest()
    high = inst.places.max_panel or max(len(m) for m in inst.open_at)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if holds(mid) else (low, mid - 1)
    return low


def scheduled_bound(inst: Instance, active: list[bool]) -> tuple[int, Plan | None]:
    """The most candidates any schedule takes, at most; with at most one place a panel it is
    exact, and the plan (one seat a panel) comes with it. The flow runs from the
    interviewers to the candidates, the network above reversed."""
    places, n_c, n_h = inst.places, len(inst.candidates), len(inst.hours)
    counts = _signatures(inst, active)
    eligible = 0
    if places.counts:  # the requirement whose tags the fewest carry
        eligible = 1 << min(range(len(places.counts)),
                            key=lambda r: sum(s >> r & 1 for s in inst.signature))
    base = n_c + 2 * n_h  # candidates, then hours as seats reach them, then as candidates do
    source = base + len(inst.rooms) + len(inst.interviewers)
    arcs = _Arcs()
    pairs = arcs.seats(inst, active, source, base, lambda h: n_c + h, eligible)
    first = len(arcs.tails) - len(pairs)
    for h in range(n_h):
        if active[h]:
            arcs.add(n_c + h, n_c + n_h + h, places.most_panels(counts[h], places.smallest()))
            for c in inst.at_hour[h]:
                arcs.add(n_c + n_h + h, c, 1)
    for c in sorted({c for h, cands in enumerate(inst.at_hour) if active[h] for c in cands}):
        arcs.add(c, source + 1, 1)
    graph = max_flow.SimpleMaxFlow()
    ids = graph.add_arcs_with_capacity(array("i", arcs.tails), array("i", arcs.heads),
                                       array("q", arcs.caps))
    if graph.solve(source, source + 1) != graph.OPTIMAL:
        raise RuntimeError("maximum flow failed")
    most = int(graph.optimal_flow())
    if places.per_panel > 1:
        return most, None
    panels: Counter[int] = Counter()
    witness: dict[int, list[int]] = {}
    for (i, h), flow in zip(pairs, graph.flows(ids[first:first + len(pairs)]), strict=True):
        if flow:
            panels[h] += 1
            witness.setdefault(h, []).append(i)
    return most, Plan(dict(panels), witness, 1)


def earliest_bound(inst: Instance, target: int, size: int, active: list[bool]
                   ) -> tuple[int, dict[int, list[int]]] | None:
    """The least sum of start offsets (hours from the first) any schedule of `target`
    interviews with panels of at least `size` could have, and the relaxation's seats; None
    if the relaxation cannot seat them (then no such schedule exists)."""
    counts = _signatures(inst, active)
    n_h = len(inst.hours)
    source = n_h + len(inst.rooms) + len(inst.interviewers)  # hours, limits, roots first
    arcs = _Arcs()
    pairs = arcs.seats(inst, active, source, n_h, lambda h: h)
    first = len(arcs.tails) - len(pairs)
    for h in range(n_h):
        if active[h]:
            most = min(inst.places.most_panels(counts[h], size), len(inst.at_hour[h]))
            arcs.add(h, source + 1, most * size)
    flow = min_cost_flow.SimpleMinCostFlow()
    ids = flow.add_arcs_with_capacity_and_unit_cost(
        array("i", arcs.tails), array("i", arcs.heads), array("q", arcs.caps),
        array("q", arcs.costs))
    flow.set_node_supply(source, target * size)
    flow.set_node_supply(source + 1, -target * size)
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return None
    if status != flow.OPTIMAL:
        raise RuntimeError("min-cost flow failed")
    seated: dict[int, list[int]] = {}
    for (i, h), n in zip(pairs, flow.flows(ids[first:first + len(pairs)]), strict=True):
        if n:
            seated.setdefault(h, []).append(i)
    return -(-int(flow.optimal_cost()) // size), seated
