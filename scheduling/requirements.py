"""The requirements' places on a panel, and how many panels a group of interviewers can fill.

Interviewers are told apart only by their signature: the set (a bit mask) of requirements
whose tags they all carry. By Hall's theorem, k panels of at least `size` seats, each holding
`count` distinct carriers of every requirement's tags (one interviewer, one place), can be
formed from a group exactly when it has k · size members and, for every set S of
requirements, at least k · Σ_{r∈S} count_r members able to fill a place of S: the places of
one requirement all have the same candidates, so sets of whole requirements are the only
ones to check, and seats beyond the places take anyone. Requirements with the same tags are
one requirement with the counts added.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ortools.graph.python import max_flow

from scheduling.problem import Requirement

MAX_REQUIREMENTS = 8  # distinct tag sets; the subsets checked are 2^n - 1


class Places:
    """The places every panel must fill, the largest panel allowed, and Hall's subsets."""

    def __init__(self, requirements: Iterable[Requirement], max_panel: int | None) -> None:
        merged: Counter[frozenset[str]] = Counter()
        for requirement in requirements:
            if requirement.count < 1:
                raise ValueError("a requirement needs a count of at least 1")
            merged[requirement.tags] += requirement.count
        if len(merged) > MAX_REQUIREMENTS:
            raise ValueError(f"at most {MAX_REQUIREMENTS} requirements (distinct tag sets)")
        self.tags = sorted(merged, key=sorted)
        self.counts = [merged[tags] for tags in self.tags]
        self.per_panel = sum(self.counts)
        self.max_panel = max_panel
        self.subsets = [(mask, sum(c for r, c in enumerate(self.counts) if mask >> r & 1))
                        for mask in range(1, 1 << len(self.counts))]

    def signature(self, tags: frozenset[str]) -> int:
        """The requirements a carrier of `tags` can fill a place of, as a bit mask."""
        return sum(1 << r for r, needed in enumerate(self.tags) if needed <= tags)

    def smallest(self) -> int:
        """The fewest seats any panel has: its places, and at least one."""
        return max(1, self.per_panel)

    def most_panels(self, by_signature: Mapping[int, int], size: int) -> int:
        """The most panels of at least `size` seats that members counted by signature fill."""
        if self.max_panel is not None and max(size, self.per_panel) > self.max_panel:
            return 0
        most = sum(by_signature.values()) // size
        for mask, demand in self.subsets:
            able = sum(n for signature, n in by_signature.items() if signature & mask)
            most = min(most, able // demand)
        return most

    def fillers(self, members: Sequence[int], signature: Sequence[int],
                panels: int) -> list[list[int]]:
        """Per requirement, the panels · count members filling its places, the first of each
        signature in `members` order taken first (a maximum flow over signatures decides how
        many of each fill which requirement). The caller knows the places can be filled."""
        if not self.counts or not panels:
            return [[] for _ in self.counts]
        by_signature: defaultdict[int, list[int]] = defaultdict(list)
        for member in members:
            if signature[member]:
                by_signature[signature[member]].append(member)
        signatures = sorted(by_signature)
        n_req = len(self.counts)
        source, sink = len(signatures) + n_req, len(signatures) + n_req + 1
        graph = max_flow.SimpleMaxFlow()
        arcs = []
        for s, sig in enumerate(signatures):
            graph.add_arc_with_capacity(source, s, len(by_signature[sig]))
            arcs += [(sig, r, graph.add_arc_with_capacity(s, len(signatures) + r,
                                                           len(by_signature[sig])))
                     for r in range(n_req) if sig >> r & 1]
        for r, count in enumerate(self.counts):
            graph.add_arc_with_capacity(len(signatures) + r, sink, panels * count)
        if graph.solve(source, sink) != graph.OPTIMAL or (
                graph.optimal_flow() != panels * self.per_panel):
            raise RuntimeError("the places cannot be filled")
        out: list[list[int]] = [[] for _ in self.counts]
        taken: Counter[int] = Counter()
        for sig, r, arc in arcs:
            n = graph.flow(arc)
            out[r] += by_signature[sig][taken[sig]:taken[sig] + n]
            taken[sig] += n
        return out
