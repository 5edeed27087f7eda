"""The match under limits, layer by layer of SPEC's order: a schedule is constructed quickly
(scheduling.greedy), a layer is proven when it meets a relaxation's bound
(scheduling.bounds), and only where no bound meets it does the exact model
(scheduling.exact) spend its budget, when the instance fits it. Each layer is solved with the
best of the one before fixed; what stays unproven is reported with its bound."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from scheduling import bounds, greedy
from scheduling.exact import Exact
from scheduling.flows import Network
from scheduling.instance import Instance
from scheduling.seating import Plan, core

# The relaxation's seats, rounded, often start earlier than the construction; at the largest
# sizes the construction comes within a few tenths of a percent of the bound, and rounding
# costs a pass more, so it is tried only when the gap is wider (or the exact model follows).
WORTH_ROUNDING = 0.005


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    most: int  # no schedule takes more candidates
    largest: int  # no schedule of as many candidates has a larger smallest panel
    later: int  # hours by which the sum of start times may exceed the least (0: proven least)


def offsets(inst: Instance, plan: Plan) -> int:
    """The plan's sum of start offsets (hours from the first hour)."""
    return sum(inst.offset(h) * k for h, k in plan.panels.items())


def solve(inst: Instance, net: Network, budget: float) -> Outcome:
    """The best plan found, with what is proven about it."""
    active = greedy.active_hours(inst)
    reachable = len(net.reachable)
    if not reachable:
        return Outcome(Plan({}, {}, inst.places.smallest()), 0, 0, 0)
    exact = Exact(inst, net, active, budget)
    largest = bounds.panel_bound(inst, reachable, active)
    plan, count = greedy.construct(inst, largest, reachable)  # the usual case: both bounds met
    most = reachable
    if count < reachable:
        plan, count, most = _most(inst, active, exact, reachable)
        if not count:
            return Outcome(plan, most, 0, 0)
        largest = bounds.panel_bound(inst, count, active)
        plan, largest = _largest(inst, active, exact, plan, count, largest)
    plan, least = _earliest(inst, net, active, exact, plan, count)
    return Outcome(plan, most, largest, offsets(inst, plan) - least)


def _most(inst: Instance, active: list[bool], exact: Exact,
          reachable: int) -> tuple[Plan, int, int]:
    """Guarantee 2: the plan with the most interviews found, its count, and the bound."""
    smallest = inst.places.smallest()
    plan, count = greedy.construct(inst, smallest, reachable)
    most, witness = bounds.scheduled_bound(inst, active)
    if witness is not None:
        return witness, most, most
    if count < most and exact.fits():
        out = exact.most(smallest, plan)
        if out.plan is not None and out.value > count:
            plan, count = out.plan, out.value
        most = count if out.proven else min(most, out.bound)
    return plan, count, most


def _largest(inst: Instance, active: list[bool], exact: Exact, plan: Plan, count: int,
             largest: int) -> tuple[Plan, int]:
    """Guarantee 3 for `count` interviews: the plan with the largest smallest panel found, and
    the bound. Constructions climb first (a failed one proves nothing), then the exact model's
    probes, whose infeasibility does prove (larger panels only make it harder)."""
    low, high = plan.size, largest
    while low < high:
        mid = (low + high + 1) // 2
        attempt, placed = greedy.construct(inst, mid, count)
        if placed == count:
            plan, low = attempt, mid
        else:
            high = mid - 1
    while low < largest and exact.fits():
        mid = (low + largest + 1) // 2
        out = exact.probe(mid, count, plan)
        if out.plan is not None:
            plan, low = out.plan, mid
        elif out.proven:
            largest = mid - 1
        else:
            break
    return plan, largest


def _earliest(inst: Instance, net: Network, active: list[bool], exact: Exact, plan: Plan,
              count: int) -> tuple[Plan, int]:
    """Guarantee 5 for the plan's count and size: the plan with the least sum of start offsets
    found, and the least proven possible (equal when the relaxation's bound is met, by the plan
    or by the relaxation's own solution when that is a plan, or the exact model, if it fits,
    proves it)."""
    relaxed = bounds.earliest_bound(inst, count, plan.size, active)
    if relaxed is None:
        raise RuntimeError("a plan exists that the relaxation cannot seat")
    lower, seated = relaxed
    if offsets(inst, plan) == lower:
        return plan, lower
    exemplary = _as_plan(inst, net, seated, plan.size)
    if exemplary is not None:
        return exemplary, lower
    if exact.fits() or offsets(inst, plan) > lower * (1 + WORTH_ROUNDING):
        start = _rounded(inst, seated, plan.size)
        rounded, placed = greedy.construct(inst, plan.size, count, start)
        if placed == count and offsets(inst, rounded) < offsets(inst, plan):
            plan = rounded
            if offsets(inst, plan) == lower:
                return plan, lower
    if not exact.fits():
        return plan, lower
    out = exact.earliest(plan.size, count, plan)
    lower = max(lower, out.bound)
    if out.plan is None or out.value > offsets(inst, plan):
        return plan, lower
    return out.plan, out.value if out.proven else lower


def _rounded(inst: Instance, seated: dict[int, list[int]], size: int) -> Plan:
    """The relaxation's seats, each hour's rounded down to the panels they fill: a start for
    the construction, which adds the interviews this leaves out where room remains."""
    panels: dict[int, int] = {}
    witness: dict[int, list[int]] = {}
    for h, members in seated.items():
        k = inst.places.most_panels(Counter(inst.signature[i] for i in members), size)
        if k:
            panels[h], witness[h] = k, core(inst, sorted(members), k, size)
    return Plan(panels, witness, size)


def _as_plan(inst: Instance, net: Network, seated: dict[int, list[int]],
             size: int) -> Plan | None:
    """The relaxation's seats as a plan, if they are one: a multiple of `size` at every hour,
    filling the places of that many panels, and candidates to fill them."""
    panels = {h: len(members) // size for h, members in seated.items()}
    if any(len(members) % size or inst.places.most_panels(
            Counter(inst.signature[i] for i in members), size) < panels[h]
           for h, members in seated.items()):
        return None
    if net.max_flow([panels.get(h, 0) for h in range(len(inst.hours))]) < sum(panels.values()):
        return None
    return Plan({h: k for h, k in panels.items() if k}, seated, size)
