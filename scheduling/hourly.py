"""The flows of scheduling.flows over an indexed instance: the whole match when no limit ties
hours together (requirements only change what an hour holds), and, under limits, which
candidates fill the interviews a plan puts at each hour."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from scheduling.flows import Network, schedule
from scheduling.instance import Instance
from scheduling.seating import Plan


def network(inst: Instance) -> Network:
    """Candidates → the hours where a panel can be formed (caps counted before the match)."""
    at = [cands if inst.formable[h] else [] for h, cands in enumerate(inst.at_hour)]
    return Network(len(inst.candidates), at, [inst.offset(h) for h in range(len(at))])


def _by_hour(net: Network, chosen: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for pair in chosen:  # by hour, then candidate
        out.setdefault(net.pair_hours[pair], []).append(net.pair_candidates[pair])
    return out


def unlimited(inst: Instance, net: Network) -> tuple[Plan, dict[int, list[int]]]:
    """Guarantees 2, 3 and 5, proven, when no limit binds: an hour of f open interviewers
    holds at most most_panels(p) panels of p seats whatever other hours do; the plan seats
    them all, and the smallest panel is the least f/k (capped), as in scheduling.flows."""
    if not net.reachable:
        return Plan({}, {}, inst.places.smallest()), {}
    counts = [Counter(inst.signature[i] for i in members) for members in inst.open_at]
    free = [len(members) for members in inst.open_at]

    def capacities(p: int) -> list[int]:
        return [inst.places.most_panels(n, p) if ok else 0
                for n, ok in zip(counts, inst.formable, strict=True)]

    cap = inst.places.max_panel or max(free)
    by_hour = _by_hour(net, schedule(net, free, cap, capacities))
    panels = {h: len(cands) for h, cands in by_hour.items()}
    size = min((min(cap, free[h] // k) for h, k in panels.items()), default=1)
    return Plan(panels, {h: inst.open_at[h] for h in panels}, size), by_hour


def assign(inst: Instance, net: Network, panels: dict[int, int]) -> dict[int, list[int]]:
    """Candidates for exactly `panels` interviews an hour: the plan's count is reachable,
    and among the ways to fill it, the smallest ids (a min-cost flow on ranks)."""
    if not panels:
        return {}
    chosen = net.min_cost([panels.get(h, 0) for h in range(len(inst.hours))],
                          sum(panels.values()))
    if chosen is None:
        raise RuntimeError("the plan's interviews cannot be filled with candidates")
    return _by_hour(net, chosen)
