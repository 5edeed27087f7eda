"""The exact model under limits (CP-SAT), for what no certificate settles: one layer of
SPEC's order at a time, the best of each fixed before the next.

Per hour, not per panel: k_h interviews at hour h, y[i, h] seats interviewer i then. An
hour's seats form its k_h panels of at least p seats, places filled, exactly when
Σ_i y[i, h] ≥ p · k_h and, for every set S of requirements, the seated carriers of S's tags
are at least k_h · Σ_{r∈S} count_r (Hall's condition, scheduling.requirements). Limits bound
sums of y. Candidates enter as x[c, h] with k_h = Σ_c x[c, h], each c at most once; so a
solution is a plan, and every schedule gives one: the model is the problem itself.

Candidates are usually plentiful, and their variables the most numerous, so each layer is
first solved without them (k_h only at most the candidates free then): a relaxation, whose
optimum is the problem's as soon as candidates can fill its k (a maximum flow checks), and
whose infeasibility is the problem's. Only otherwise is the whole model solved.

Solves are reproducible: one worker, a fixed seed, and a budget of deterministic time (work
counted, not seconds), so the same input gives the same output on any machine and load. A
layer counts as proven only when CP-SAT reports it optimal (or infeasible, for a probe).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from ortools.sat.python import cp_model

from scheduling.flows import Network
from scheduling.instance import Instance
from scheduling.seating import Plan

MAX_VARIABLES = 6_000  # seats; beyond, CP-SAT seldom proves an optimum within a budget
Goal = Literal["most", "probe", "earliest"]


@dataclass(frozen=True)
class Outcome:
    proven: bool  # optimal, or (a probe) infeasible
    plan: Plan | None  # the best found, if any
    value: int  # the objective's value, of the best found
    bound: int  # the best bound proved on the objective


class Exact:
    """The model's fixed part, and the budget left for its solves."""

    def __init__(self, inst: Instance, net: Network, active: list[bool],
                 budget: float) -> None:
        self.inst, self.net, self.left = inst, net, budget
        self.hours = [h for h in range(len(inst.hours)) if active[h]]
        self.seats = sum(len(inst.open_at[h]) for h in self.hours)
        self.cells = self.seats + sum(len(inst.at_hour[h]) for h in self.hours)

    def fits(self) -> bool:
        return self.seats <= MAX_VARIABLES and self.left > 0

    def most(self, size: int, hint: Plan | None) -> Outcome:
        """The most interviews of at least `size` seats (the bound rounded down)."""
        return self._layer("most", size, None, hint)

    def probe(self, size: int, scheduled: int, hint: Plan | None) -> Outcome:
        """A plan of `scheduled` interviews of at least `size` seats, or proof there is none
        (proven and no plan)."""
        return self._layer("probe", size, scheduled, hint)

    def earliest(self, size: int, scheduled: int, hint: Plan | None) -> Outcome:
        """The least sum of start offsets (the bound rounded up)."""
        return self._layer("earliest", size, scheduled, hint)

    def _layer(self, goal: Goal, size: int, scheduled: int | None,
               hint: Plan | None) -> Outcome:
        relaxed = self._solve(goal, size, scheduled, hint, False)
        if relaxed.plan is None or self._fillable(relaxed.plan):
            return relaxed
        if self.cells <= MAX_VARIABLES and self.left > 0:
            return self._solve(goal, size, scheduled, hint, True)
        return Outcome(False, None, 0, relaxed.bound)

    def _fillable(self, plan: Plan) -> bool:
        wanted = [plan.panels.get(h, 0) for h in range(len(self.inst.hours))]
        return self.net.max_flow(wanted) == sum(wanted)

    def _solve(self, goal: Goal, size: int, scheduled: int | None, hint: Plan | None,
               candidates: bool) -> Outcome:
        inst, model = self.inst, cp_model.CpModel()
        panels, seats = _variables(model, inst, self.hours, candidates)
        by_limit: defaultdict[int, list[cp_model.IntVar]] = defaultdict(list)
        for h in self.hours:
            members = inst.open_at[h]
            for i in members:
                for limit in inst.chains[i].get(h, ()):
                    by_limit[limit].append(seats[i, h])
            model.add(sum(seats[i, h] for i in members) >= size * panels[h])
            for mask, demand in inst.places.subsets:
                model.add(sum(seats[i, h] for i in members if inst.signature[i] & mask)
                          >= demand * panels[h])
        for limit, ys in by_limit.items():
            model.add(sum(ys) <= inst.rooms[limit])
        total = sum(panels.values())
        if scheduled is not None:
            model.add(total == scheduled)
        if goal == "most":
            model.maximize(total)
        elif goal == "earliest":
            model.minimize(sum(inst.offset(h) * k for h, k in panels.items()))
        if hint is not None:
            chosen = {(i, h) for h, members in hint.witness.items() for i in members}
            for pair, y in seats.items():
                model.add_hint(y, pair in chosen)
        return self._run(model, panels, seats, size, goal == "most")

    def _run(self, model: cp_model.CpModel, panels: dict[int, cp_model.LinearExprT],
             seats: dict[tuple[int, int], cp_model.IntVar], size: int,
             maximize: bool) -> Outcome:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.linearization_level = 2  # the flow relaxation's bound, and cuts
        solver.parameters.max_deterministic_time = max(self.left, 0.0)
        status = solver.solve(model)
        self.left -= solver.deterministic_time
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError("the exact model is invalid")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            unbounded = 1 << 40 if maximize else 0
            return Outcome(status == cp_model.INFEASIBLE, None, 0, unbounded)
        counts = {h: int(solver.value(k)) for h, k in panels.items()}
        seated: dict[int, list[int]] = {h: [] for h, k in counts.items() if k}
        for (i, h), y in seats.items():
            if h in seated and solver.boolean_value(y):
                seated[h].append(i)
        plan = Plan({h: k for h, k in counts.items() if k}, seated, size)
        value, bound = 0, 0
        if model.has_objective():
            value, best = round(solver.objective_value), solver.best_objective_bound
            bound = math.floor(best + 1e-6) if maximize else math.ceil(best - 1e-6)
        return Outcome(status == cp_model.OPTIMAL, plan, value, bound)


def _variables(model: cp_model.CpModel, inst: Instance, hours: list[int], candidates: bool
               ) -> tuple[dict[int, cp_model.LinearExprT], dict[tuple[int, int], cp_model.IntVar]]:
    """k_h (from candidates' x, or a bare count up to the candidates free then) and y[i, h]."""
    panels: dict[int, cp_model.LinearExprT] = {}
    seats: dict[tuple[int, int], cp_model.IntVar] = {}
    by_candidate: defaultdict[int, list[cp_model.IntVar]] = defaultdict(list)
    for h in hours:
        if candidates:
            xs = [model.new_bool_var("") for _ in inst.at_hour[h]]
            for c, x in zip(inst.at_hour[h], xs, strict=True):
                by_candidate[c].append(x)
            panels[h] = sum(xs)
        else:
            panels[h] = model.new_int_var(0, len(inst.at_hour[h]), "")
        for i in inst.open_at[h]:
            seats[i, h] = model.new_bool_var("")
    for xs in by_candidate.values():
        model.add_at_most_one(xs)
    return panels, seats
