"""Why there is no slot, in the pure core: counts that add up, and the near misses as a brute
force orders every hour (fewest missing, then earliest, slots left out, at most the limit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from scheduling.explanations import NOT_OFFERED, explain
from scheduling.hours import HOUR

NINE = datetime(2027, 3, 1, 9, tzinfo=UTC)
HOURS = [NINE + k * HOUR for k in range(12)]
REASONS = (None, "booked", "busy", "cap_reached")

offered_hours = st.dictionaries(st.sampled_from(HOURS), st.sampled_from(REASONS), max_size=12)
people = st.lists(offered_hours, min_size=1, max_size=4).map(
    lambda each: {f"p{n}": hours for n, hours in enumerate(each)})


@given(offered=people, limit=st.integers(1, 20))
def test_near_misses_are_the_best_hours_of_a_brute_force(
        offered: dict[str, dict[datetime, str | None]], limit: int) -> None:
    def missing(at: datetime) -> tuple[tuple[str, str], ...]:
        return tuple((p, r) for p, hours in offered.items()
                     if (r := hours.get(at, NOT_OFFERED)) is not None)

    ranked = sorted((at for at in HOURS if missing(at)), key=lambda at: (len(missing(at)), at))

    got = explain(HOURS, offered, limit)

    assert [(m.start, m.missing) for m in got.near_misses] == [
        (at, missing(at)) for at in ranked[:limit]]
    assert all(m.end - m.start == timedelta(hours=1) for m in got.near_misses)


@given(offered=people)
def test_each_persons_counts_add_up(offered: dict[str, dict[datetime, str | None]]) -> None:
    got = explain(HOURS, offered)

    assert [p.person for p in got.people] == list(offered)
    for person, hours in zip(got.people, offered.values(), strict=True):
        reasons = list(hours.values())
        assert person.offered == len(hours)
        assert (person.booked, person.busy, person.capped) == (
            reasons.count("booked"), reasons.count("busy"), reasons.count("cap_reached"))
        assert person.free == reasons.count(None) >= 0


def test_an_hour_where_everyone_is_free_is_a_slot_not_a_near_miss() -> None:
    got = explain(HOURS[:2], {"c": {HOURS[0]: None, HOURS[1]: None},
                              "i": {HOURS[0]: None, HOURS[1]: "busy"}})
    assert [(m.start, m.missing) for m in got.near_misses] == [(HOURS[1], (("i", "busy"),))]


def test_nobody_offering_anything_misses_every_hour_from_the_first() -> None:
    got = explain(HOURS, {"c": {}, "i": {}})
    assert [m.start for m in got.near_misses] == HOURS
    assert {m.missing for m in got.near_misses} == {(("c", NOT_OFFERED), ("i", NOT_OFFERED))}
