"""The match under load limits and panel requirements against a brute-force oracle, and worked
examples of each reason and edge of a limit."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.match import Limit, Person, Requirement, solve
from tests.scheduling.capped_oracle import check, oracle, score

MONDAY = datetime(2027, 3, 1, tzinfo=UTC)
BASE = int((MONDAY + timedelta(hours=9)).timestamp())
SLOTS = (0, 1, 24, 25)  # 9:00 and 10:00 on Monday and Tuesday


def at(*offsets: int) -> frozenset[int]:
    """The hours `offsets` after Monday 9:00, as the solver takes them (Unix seconds)."""
    return frozenset(BASE + 3600 * k for k in offsets)


def day(n: int) -> frozenset[int]:
    start = int((MONDAY + timedelta(days=n)).timestamp())
    return frozenset(range(start, start + 86400, 3600))


WEEK = frozenset().union(*(day(n) for n in range(7)))


def limits(day_rooms: tuple[int | None, int | None], week_room: int | None
           ) -> tuple[Limit, ...]:
    """Monday's and Tuesday's limits inside the week's, as a person's caps make them."""
    out = [Limit(day(n), room) for n, room in enumerate(day_rooms) if room is not None]
    return (*out, *([Limit(WEEK, week_room)] if week_room is not None else []))


rooms = st.none() | st.integers(0, 2)
interviewer = st.tuples(st.frozensets(st.sampled_from(SLOTS)),
                        st.frozensets(st.sampled_from("ab")),
                        st.tuples(rooms, rooms), st.none() | st.integers(0, 3))
requirement = st.builds(Requirement, st.frozensets(st.sampled_from("ab"), min_size=1),
                        st.integers(1, 2))


@settings(max_examples=300, deadline=None, database=None)
@given(cand_hours=st.lists(st.frozensets(st.sampled_from(SLOTS)), max_size=3),
       pool_specs=st.lists(interviewer, max_size=3),
       requirements=st.lists(requirement, max_size=2),
       cap=st.none() | st.integers(1, 3), seed=st.integers(0, 1000))
def test_the_solver_matches_the_brute_force_optimum_under_limits_and_requirements(
        cand_hours: list[frozenset[int]],
        pool_specs: list[tuple[frozenset[int], frozenset[str],
                               tuple[int | None, int | None], int | None]],
        requirements: list[Requirement], cap: int | None, seed: int) -> None:
    cands = [Person(f"c{n}", at(*hs)) for n, hs in enumerate(cand_hours)]
    pool = [Person(f"i{n}", at(*hs), tags, limits(days, week))
            for n, (hs, tags, days, week) in enumerate(pool_specs)]
    match = solve(cands, pool, cap, requirements)
    check(match, cands, pool, cap, requirements)
    assert match.stats.optimal and match.stats.bound is None
    assert score(match, BASE) == oracle(cands, pool, cap, requirements, BASE)
    shuffled = random.Random(seed)
    assert solve(shuffled.sample(cands, len(cands)), shuffled.sample(pool, len(pool)), cap,
                 shuffled.sample(requirements, len(requirements))) == match, (
        "the result depends on the order of the input")
