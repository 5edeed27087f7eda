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

from ortools.graph.python import max_flow, min_cost_flow

from scheduling.instance import Instance
from scheduling.seating import Plan

_ENOUGH = 1 << 40


def _signatures(inst: Instance, active: list[bool]) -> list[Counter[int]]:
    return [Counter(inst.signature[i] for i in members) if active[h] else Counter()
            for h, members in enumerate(inst.open_at)]


def _holder(inst: Instance, i: int, h: int, base: int, roots: int) -> int:
    """The node a seat of interviewer i at hour h enters: its innermost limit, or i's root."""
    chain = inst.chains[i].get(h)
    return base + chain[0] if chain else roots + i


def most_seats(inst: Instance, active: list[bool]) -> int:
    """The most seats the interviewers can take over the active hours, within their limits:
    up each forest, a limit passes on the least of its room and what its inside can take."""
    inside = [0] * len(inst.rooms)
    total = 0
    for h, members in enumerate(inst.open_at):
        if active[h]:
            for i in members:
                chain = inst.chains[i].get(h)
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
    exact, and the plan (one seat a panel) comes with it."""
    places, n_c, n_h = inst.places, len(inst.candidates), len(inst.hours)
    counts = _signatures(inst, active)
    eligible = 0
    if places.counts:  # the requirement whose tags the fewest carry
        eligible = 1 << min(range(len(places.counts)),
                            key=lambda r: sum(s >> r & 1 for s in inst.signature))
    base = n_c + 2 * n_h
    roots = base + len(inst.rooms)
    source, sink = roots + len(inst.interviewers), roots + len(inst.interviewers) + 1
    tails, heads, caps = array("i"), array("i"), array("q")

    def arc(tail: int, head: int, cap: int) -> None:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)

    reached = sorted({c for h, cands in enumerate(inst.at_hour) if active[h] for c in cands})
    for c in reached:
        arc(source, c, 1)
    seat_arcs: list[tuple[int, int, int]] = []  # interviewer, hour, arc
    for h in range(n_h):
        if active[h]:
            for c in inst.at_hour[h]:
                arc(c, n_c + h, 1)
            arc(n_c + h, n_c + n_h + h, places.most_panels(counts[h], places.smallest()))
            for i in inst.open_at[h]:
                if not eligible or inst.signature[i] & eligible:
                    seat_arcs.append((i, h, len(tails)))
                    arc(n_c + n_h + h, _holder(inst, i, h, base, roots), 1)
    for limit, room in enumerate(inst.rooms):
        parent = inst.parents[limit]
        arc(base + limit, base + parent if parent >= 0 else roots + inst.owners[limit], room)
    for i in range(len(inst.interviewers)):
        arc(roots + i, sink, _ENOUGH)
    graph = max_flow.SimpleMaxFlow()
    arcs = graph.add_arcs_with_capacity(tails, heads, caps)
    if graph.solve(source, sink) != graph.OPTIMAL:
        raise RuntimeError("maximum flow failed")
    most = int(graph.optimal_flow())
    if places.per_panel > 1:
        return most, None
    panels: Counter[int] = Counter()
    witness: dict[int, list[int]] = {}
    flows = graph.flows(arcs)
    for i, h, n in seat_arcs:
        if flows[n]:
            panels[h] += 1
            witness.setdefault(h, []).append(i)
    return most, Plan(dict(panels), witness, 1)


def earliest_bound(inst: Instance, target: int, size: int, active: list[bool]
                   ) -> tuple[int, dict[int, list[int]]] | None:
    """The least sum of start offsets (hours from the first) any schedule of `target`
    interviews with panels of at least `size` could have; None if the relaxation cannot
    seat them (then no such schedule exists)."""
    counts = _signatures(inst, active)
    n_h, n_i = len(inst.hours), len(inst.interviewers)
    base, roots = n_h, n_h + len(inst.rooms)
    source, sink = roots + n_i, roots + n_i + 1
    tails, heads, caps, costs = array("i"), array("i"), array("q"), array("q")

    def arc(tail: int, head: int, cap: int, cost: int = 0) -> None:
        tails.append(tail)
        heads.append(head)
        caps.append(cap)
        costs.append(cost)

    for i in range(n_i):
        arc(source, roots + i, _ENOUGH)
    for limit, room in enumerate(inst.rooms):
        parent = inst.parents[limit]
        arc(base + parent if parent >= 0 else roots + inst.owners[limit], base + limit, room)
    seat_arcs: list[tuple[int, int, int]] = []  # interviewer, hour, arc
    for h in range(n_h):
        if active[h]:
            for i in inst.open_at[h]:
                seat_arcs.append((i, h, len(tails)))
                arc(_holder(inst, i, h, base, roots), h, 1, inst.offset(h))
            most = min(inst.places.most_panels(counts[h], size), len(inst.at_hour[h]))
            arc(h, sink, most * size)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, target * size)
    flow.set_node_supply(sink, -target * size)
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return None
    if status != flow.OPTIMAL:
        raise RuntimeError("min-cost flow failed")
    flows = flow.flows(arcs)
    seated: dict[int, list[int]] = {}
    for i, h, n in seat_arcs:
        if flows[n]:
            seated.setdefault(h, []).append(i)
    return -(-int(flow.optimal_cost()) // size), seated
