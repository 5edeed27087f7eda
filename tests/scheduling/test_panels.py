"""Panels: one candidate each, sizes within one of each other, every interviewer seated once."""

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.panels import propose

names = st.lists(st.text("abcdefgh", min_size=1, max_size=3), unique=True, max_size=12)


@settings(max_examples=300, deadline=None, database=None)
@given(candidates=names, interviewers=names, cap=st.none() | st.integers(1, 4))
def test_panels_split_interviewers_evenly(candidates: list[str], interviewers: list[str],
                                          cap: int | None) -> None:
    panels = propose(candidates, interviewers, max_panel_size=cap)
    assert [c for c, _ in panels] == candidates[: len(interviewers)]
    sizes = [len(members) for _, members in panels]
    if panels:
        assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1
        assert cap is None or max(sizes) <= cap
    seated = [i for _, members in panels for i in members]
    assert len(seated) == len(set(seated))
    expected = min(len(interviewers), len(panels) * cap) if cap else len(interviewers)
    assert len(seated) == (expected if panels else 0)


def test_the_least_loaded_interviewers_take_the_seats() -> None:
    panels = propose(["c"], ["i1", "i2", "i3"], max_panel_size=2, load={"i1": 3, "i2": 0})
    assert panels == [("c", ("i2", "i3"))]
