"""The match baselines on the dataset itself: the optimum (a maximum flow), the same
min-cost flow our solver ends with, and the greedy earliest-first assignment of simple tools."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow


@dataclass(frozen=True)
class Graph:
    """source → candidate (1) → free hour (1) → sink (free interviewers then)."""

    free_interviewers: Sequence[int]  # per hour of the window
    candidate_hours: Sequence[Sequence[int]]  # per candidate, the hours they are free

    @cached_property
    def arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Tails, heads, capacities and costs (earliest first) of every arc."""
        n_cand, n_hours = len(self.candidate_hours), len(self.free_interviewers)
        sink = 1 + n_cand + n_hours
        pairs = [(1 + c, 1 + n_cand + h, h) for c, hours in enumerate(self.candidate_hours)
                 for h in hours if self.free_interviewers[h]]
        tails = [0] * n_cand + [t for t, _, _ in pairs] + [1 + n_cand + h for h in range(n_hours)]
        heads = [1 + c for c in range(n_cand)] + [h for _, h, _ in pairs] + [sink] * n_hours
        caps = [1] * (n_cand + len(pairs)) + list(self.free_interviewers)
        costs = [0] * n_cand + [h for _, _, h in pairs] + [0] * n_hours
        return (np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
                np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))

    @property
    def sink(self) -> int:
        return 1 + len(self.candidate_hours) + len(self.free_interviewers)


def maximum(graph: Graph) -> int:
    """The most candidates any schedule can take."""
    tails, heads, caps, _ = graph.arcs
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(tails, heads, caps)
    if flow.solve(0, graph.sink) != flow.OPTIMAL:
        raise RuntimeError("maximum flow failed")
    return int(flow.optimal_flow())


def min_cost(graph: Graph) -> list[int]:
    """A min-cost maximum flow (earliest hours first): how many interviews in each hour."""
    tails, heads, caps, costs = graph.arcs
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    n = len(graph.candidate_hours)
    flow.set_node_supply(0, n)
    flow.set_node_supply(graph.sink, -n)
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        raise RuntimeError("min-cost flow failed")
    n_hours = len(graph.free_interviewers)
    return [int(k) for k in flow.flows(np.arange(len(tails) - n_hours, len(tails)))]


def greedy(graph: Graph) -> int:
    """Candidates in order, each at their earliest hour with an interviewer still unused."""
    left = list(graph.free_interviewers)
    scheduled = 0
    for hours in graph.candidate_hours:
        for h in sorted(hours):
            if left[h]:
                left[h] -= 1
                scheduled += 1
                break
    return scheduled
