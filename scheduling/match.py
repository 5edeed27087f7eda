"""The match solver: schedule as many candidates as possible, then with the smallest panel as
large as possible, then as early as possible (SPEC §4 Matches, guarantees 1–5, under §5's
load caps and requirements).

Which engine solves what:
- no requirements and no limit that could be used up: scheduling.uncapped, the flows of
  scheduling.flows, optimal, and as fast as they have always been;
- no such limit, but requirements: hours are still independent, and the same flows with each
  hour's capacity from Hall's condition (scheduling.hourly): optimal;
- limits: scheduling.capped (a construction, bounds that prove it, and an exact model within
  a budget of deterministic time for what they leave open), honest in `stats.optimal` and
  `stats.bound`.
Then every engine's plan is seated and split the same way (scheduling.seating), and each
candidate left out gets the first reason that applies (scheduling.reasons).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from scheduling import capped, hourly, instance, seating, uncapped
from scheduling.instance import Instance
from scheduling.problem import (
    Bound,
    Interview,
    Limit,
    Match,
    Person,
    Reason,
    Requirement,
    Stats,
    Unscheduled,
)
from scheduling.reasons import Reasons

BUDGET = 2.0  # deterministic seconds of exact search a match may spend, at most

__all__ = ["BUDGET", "Bound", "Interview", "Limit", "Match", "Person", "Reason", "Requirement",
           "Stats", "Unscheduled", "solve"]


def _can_bind(interviewers: Sequence[Person]) -> bool:
    """Whether some limit could be used up by this match (room ≤ free hours inside it)."""
    for person in interviewers:
        if person.limits:
            free = frozenset(person.free)
            for limit in person.limits:
                inside = len(free.intersection(limit.hours))
                if inside and limit.room <= inside:
                    return True
    return False


def solve(candidates: Sequence[Person], interviewers: Sequence[Person],
          max_panel_size: int | None = None, requirements: Collection[Requirement] = (), *,
          budget: float = BUDGET) -> Match:
    """Schedule candidates against the interviewer pool with guarantees 1–5 of SPEC §4 under
    the interviewers' limits and the panels' requirements (SPEC §5). The same input, in any
    order, gives the same match, on any machine (the exact model's budget is counted in
    work, not time)."""
    if not requirements and not _can_bind(interviewers):
        return uncapped.solve(candidates, interviewers, max_panel_size)
    inst = instance.build(candidates, interviewers, requirements, max_panel_size)
    net = hourly.network(inst)
    if not inst.limited:
        plan, by_hour = hourly.unlimited(inst, net)
        return _match(inst, plan, by_hour, None)
    outcome = capped.solve(inst, net, budget)
    plan = outcome.plan
    everyone = sum(plan.panels.values()) == len(net.reachable)  # no tie on who to leave out
    by_hour = plan.candidates if everyone and plan.candidates is not None else (
        hourly.assign(inst, net, plan.panels))
    return _match(inst, plan, by_hour, outcome)


def _match(inst: Instance, plan: seating.Plan, by_hour: dict[int, list[int]],
           outcome: capped.Outcome | None) -> Match:
    """The plan seated, split into panels, with the reasons and the stats."""
    seated, left = seating.seat(inst, plan)
    interviews = []
    for h in sorted(plan.panels):
        start = datetime.fromtimestamp(inst.hours[h], UTC)
        panels = seating.deal(inst, seated[h], plan.panels[h])
        interviews += [Interview(inst.candidates[c].id, start,
                                 tuple(inst.interviewers[i].id for i in panel))
                       for c, panel in zip(by_hour[h], panels, strict=True)]
    scheduled = {c for cands in by_hour.values() for c in cands}
    reasons = Reasons(inst, left)
    unscheduled = tuple(Unscheduled(cand.id, reasons.of(c, inst.candidate_hours(c)))
                        for c, cand in enumerate(inst.candidates) if c not in scheduled)
    sizes = [len(i.interviewers) for i in interviews]
    smallest = min(sizes, default=None)
    optimal, bound = True, None
    if outcome is not None:
        optimal = (outcome.most == len(interviews) and not outcome.later
                   and (smallest or 0) >= outcome.largest)
        if not optimal:
            bound = Bound(outcome.most, outcome.largest if interviews else None, outcome.later)
    return Match(tuple(interviews), unscheduled, Stats(
        candidates=len(inst.candidates), scheduled=len(interviews), min_panel=smallest,
        max_panel=max(sizes, default=None), optimal=optimal, bound=bound))
