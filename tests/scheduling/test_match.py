"""The match solver against a brute-force oracle and, on larger instances, the textbook
formulation; plus worked examples of each guarantee."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow

from scheduling.match import Match, Person, solve

BASE = datetime(2027, 3, 1, 9, tzinfo=UTC)


def unix(when: datetime) -> int:
    return int(when.timestamp())


def at(*offsets: int) -> frozenset[int]:
    """The hours `offsets` after BASE, as the solver takes them (Unix seconds)."""
    return frozenset(unix(BASE + timedelta(hours=k)) for k in offsets)


def hours_of(when: datetime) -> int:
    return (when - BASE) // timedelta(hours=1)


def oracle(cands: Sequence[Person], pool: Sequence[Person],
           cap: int | None) -> tuple[int, int, int]:
    """The best (scheduled, smallest panel, -sum of start hours, -sum of the scheduled
    candidates' ranks by id) over every schedule; `cands` are in id order."""
    free = Counter(h for i in pool for h in i.free)
    best = (0, 0, 0, 0)

    def search(i: int, taken: Counter[int], total: int, ranks: int) -> None:
        nonlocal best
        if i == len(cands):
            if taken:
                smallest = min(min(cap or free[h], free[h] // k) for h, k in taken.items())
                best = max(best, (sum(taken.values()), smallest, -total, -ranks))
            return
        search(i + 1, taken, total, ranks)
        for h in cands[i].free:
            if taken[h] < free[h]:
                taken[h] += 1
                search(i + 1, taken, total + (h - unix(BASE)) // 3600, ranks + i)
                taken[h] -= 1
                if not taken[h]:
                    del taken[h]

    search(0, Counter(), 0, 0)
    return best


def check_hard_rules(match: Match, cands: Sequence[Person], pool: Sequence[Person],
                     cap: int | None) -> None:
    """Guarantees 1 and 4, and the unscheduled reasons, on the solver's own output."""
    free = {p.id: p.free for p in (*cands, *pool)}
    seen = Counter[tuple[str, datetime]]()
    for interview in match.interviews:
        assert interview.interviewers, "a panel needs an interviewer"
        for person in (interview.candidate, *interview.interviewers):
            assert unix(interview.start) in free[person]
            seen[person, interview.start] += 1
    assert max(seen.values(), default=1) == 1, "someone sits twice in one hour"
    scheduled = [i.candidate for i in match.interviews]
    assert len(scheduled) == len(set(scheduled))
    for hour in {i.start for i in match.interviews}:
        panels = [len(i.interviewers) for i in match.interviews if i.start == hour]
        assert max(panels) - min(panels) <= 1
        free_now = sum(unix(hour) in i.free for i in pool)
        assert sum(panels) == min(free_now, len(panels) * (cap or free_now))
    reachable = {h for i in pool for h in i.free}
    for miss in match.unscheduled:
        cand = next(c for c in cands if c.id == miss.candidate)
        expected = ("no_free_hour" if not cand.free else
                    "no_interviewer" if not set(cand.free) & reachable else "capacity")
        assert miss.reason == expected
    assert len(match.unscheduled) + len(match.interviews) == len(cands)


def score(match: Match, cands: Sequence[Person]) -> tuple[int, int, int, int]:
    """What the oracles rank schedules by, of the solver's own schedule."""
    sizes = [len(i.interviewers) for i in match.interviews]
    rank = {c.id: n for n, c in enumerate(cands)}
    return (len(match.interviews), min(sizes, default=0),
            -sum(hours_of(i.start) for i in match.interviews),
            -sum(rank[i.candidate] for i in match.interviews))


def textbook(cands: Sequence[Person], pool: Sequence[Person],
             cap: int | None) -> tuple[int, int, int, int]:
    """The oracle's ranking by the plain formulation, for sizes brute force cannot reach: a
    min-cost maximum flow at every panel size p (capacities ⌊f/p⌋), with cost
    hour · (n² + 1) + rank, where n² + 1 exceeds any sum of ranks; the largest p that still
    carries the most candidates wins. `cands` are in id order."""
    free = Counter(h for i in pool for h in i.free)
    hours = sorted(free)
    pairs = [(c, h) for c, cand in enumerate(cands) for h, hour in enumerate(hours)
             if hour in cand.free]
    n, weight = len(cands), len(cands) ** 2 + 1
    best = (0, 0, 0, 0)
    for p in range(1, min(cap or len(pool), len(pool)) + 1):
        flow = min_cost_flow.SimpleMinCostFlow()
        for c, h in pairs:
            flow.add_arc_with_capacity_and_unit_cost(
                c, n + h, 1, (hours[h] - hours[0]) // 3600 * weight + c)
        for c in range(n):
            flow.add_arc_with_capacity_and_unit_cost(n + len(hours), c, 1, 0)
        sink = [flow.add_arc_with_capacity_and_unit_cost(n + h, n + len(hours) + 1,
                                                         free[hour] // p, 0)
                for h, hour in enumerate(hours)]
        flow.set_node_supply(n + len(hours), n)
        flow.set_node_supply(n + len(hours) + 1, -n)
        assert flow.solve_max_flow_with_min_cost() == flow.OPTIMAL
        taken = [(free[hour], flow.flow(arc)) for hour, arc in zip(hours, sink, strict=True)]
        smallest = min((min(cap or f, f // k) for f, k in taken if k), default=0)
        offset = (hours[0] - unix(BASE)) // 3600 if hours else 0
        scheduled = flow.maximum_flow()
        cost = flow.optimal_cost() + offset * weight * scheduled
        best = max(best, (scheduled, smallest, -(cost // weight), -(cost % weight)))
    return best


people = st.lists(st.frozensets(st.integers(0, 4), max_size=5), max_size=6)


@settings(max_examples=400, deadline=None, database=None)
@given(cand_hours=people, pool_hours=st.lists(st.frozensets(st.integers(0, 4)), max_size=5),
       cap=st.none() | st.integers(1, 3), seed=st.integers(0, 1000))
def test_the_solver_matches_the_brute_force_optimum(cand_hours: list[frozenset[int]],
                                                    pool_hours: list[frozenset[int]],
                                                    cap: int | None, seed: int) -> None:
    cands = [Person(f"c{n}", at(*hs)) for n, hs in enumerate(cand_hours)]
    pool = [Person(f"i{n}", at(*hs)) for n, hs in enumerate(pool_hours)]
    match = solve(cands, pool, cap)
    check_hard_rules(match, cands, pool, cap)
    assert score(match, cands) == oracle(cands, pool, cap)
    shuffled = random.Random(seed)
    assert solve(shuffled.sample(cands, len(cands)), shuffled.sample(pool, len(pool)),
                 cap) == match, "the result depends on the order of the input"


@settings(max_examples=150, deadline=None, database=None)
@given(cand_hours=st.lists(st.frozensets(st.integers(0, 9), max_size=5), max_size=30),
       pool_hours=st.lists(st.frozensets(st.integers(0, 9)), max_size=10),
       cap=st.none() | st.integers(1, 4))
def test_larger_instances_match_the_textbook_formulation(cand_hours: list[frozenset[int]],
                                                         pool_hours: list[frozenset[int]],
                                                         cap: int | None) -> None:
    cands = [Person(f"c{n:02d}", at(*hs)) for n, hs in enumerate(cand_hours)]
    pool = [Person(f"i{n}", at(*hs)) for n, hs in enumerate(pool_hours)]
    match = solve(cands, pool, cap)
    check_hard_rules(match, cands, pool, cap)
    assert score(match, cands) == textbook(cands, pool, cap)


def test_greedy_earliest_first_is_beaten() -> None:
    """Greedy gives c0 the 9:00 hour and leaves c1 with nothing; both fit."""
    match = solve([Person("c0", at(0, 1)), Person("c1", at(0))], [Person("i0", at(0, 1))])
    assert {(i.candidate, hours_of(i.start)) for i in match.interviews} == {("c1", 0), ("c0", 1)}


def test_the_smallest_panel_is_made_as_large_as_possible() -> None:
    """Both at 9:00 would be earlier but leaves a panel of one; 9:00 and 10:00 gives two each."""
    pool = [Person("i0", at(0, 1)), Person("i1", at(0, 1)), Person("i2", at(0))]
    match = solve([Person("c0", at(0, 1)), Person("c1", at(0, 1))], pool)
    assert sorted(hours_of(i.start) for i in match.interviews) == [0, 1]
    assert match.stats.min_panel == 2 and match.stats.max_panel == 3


def test_spare_interviewers_are_split_evenly() -> None:
    pool = [Person(f"i{n}", at(0)) for n in range(5)]
    match = solve([Person("c0", at(0)), Person("c1", at(0))], pool)
    assert sorted(len(i.interviewers) for i in match.interviews) == [2, 3]
    assert sorted(p for i in match.interviews for p in i.interviewers) == [p.id for p in pool]


def test_max_panel_size_caps_the_panels() -> None:
    pool = [Person(f"i{n}", at(0)) for n in range(5)]
    match = solve([Person("c0", at(0)), Person("c1", at(0))], pool, max_panel_size=2)
    assert [len(i.interviewers) for i in match.interviews] == [2, 2]


def test_earlier_hours_win_when_everything_else_ties() -> None:
    match = solve([Person("c0", at(3, 1, 2))], [Person("i0", at(1, 2, 3))])
    assert hours_of(match.interviews[0].start) == 1


def test_each_unscheduled_reason() -> None:
    cands = [Person("a", at()), Person("b", at(4)), Person("c", at(0)), Person("d", at(0))]
    match = solve(cands, [Person("i0", at(0))])
    assert {(u.candidate, u.reason) for u in match.unscheduled} == {
        ("a", "no_free_hour"), ("b", "no_interviewer"), ("d", "capacity")}
    assert match.stats.candidates == 4 and match.stats.scheduled == 1


def test_ties_prefer_smaller_ids() -> None:
    match = solve([Person("z", at(0)), Person("a", at(0))], [Person("i0", at(0))])
    assert [i.candidate for i in match.interviews] == ["a"]


def test_load_is_spread_across_hours() -> None:
    """With a cap of one, the interviewer who sat at 9:00 gives way at 10:00."""
    pool = [Person("i0", at(0, 1)), Person("i1", at(0, 1))]
    match = solve([Person("c0", at(0)), Person("c1", at(1))], pool, max_panel_size=1)
    assert [i.interviewers for i in match.interviews] == [("i0",), ("i1",)]


def test_nothing_to_schedule_gives_empty_stats() -> None:
    match = solve([], [])
    assert match.interviews == () and match.stats.min_panel is None
