"""The slot rule of SPEC §4, one row of its table per test, and the panels it proposes."""

from datetime import UTC, datetime

import pytest

from scheduling.slots import slot_at

NINE = datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_candidate_and_interviewers_need_all_of_them_free() -> None:
    slot = slot_at(NINE, candidate="c", named=["i2", "i1"], free_candidates=["c"],
                   free_interviewers=["i1", "i2", "i3"])
    assert slot is not None
    assert slot.candidates == ("c",) and slot.interviewers == ("i1", "i2")
    assert slot.panels == (("c", ("i1", "i2")),)
    assert slot_at(NINE, candidate="c", named=["i1", "i4"], free_candidates=["c"],
                   free_interviewers=["i1", "i2"]) is None
    assert slot_at(NINE, candidate="c", named=["i1"], free_candidates=[],
                   free_interviewers=["i1"]) is None


def test_candidate_only_lists_every_free_interviewer() -> None:
    slot = slot_at(NINE, candidate="c", named=[], free_candidates=["c", "d"],
                   free_interviewers=["i2", "i1"])
    assert slot is not None and slot.candidates == ("c",)
    assert slot.interviewers == ("i1", "i2")
    assert slot_at(NINE, candidate="c", named=[], free_candidates=["c"],
                   free_interviewers=[]) is None


def test_interviewers_only_lists_every_free_candidate() -> None:
    slot = slot_at(NINE, candidate=None, named=["i1", "i2", "i3"], free_candidates=["b", "a"],
                   free_interviewers=["i1", "i2", "i3", "i4"])
    assert slot is not None
    assert slot.candidates == ("a", "b") and slot.interviewers == ("i1", "i2", "i3")
    assert slot.panels == (("a", ("i1", "i3")), ("b", ("i2",)))
    assert slot_at(NINE, candidate=None, named=["i1"], free_candidates=[],
                   free_interviewers=["i1"]) is None


def test_more_candidates_than_interviewers_gives_panels_to_the_first_ones() -> None:
    slot = slot_at(NINE, candidate=None, named=["i1"], free_candidates=["c", "a", "b"],
                   free_interviewers=["i1"])
    assert slot is not None and slot.candidates == ("a", "b", "c")
    assert slot.panels == (("a", ("i1",)),)


def test_a_query_names_someone() -> None:
    with pytest.raises(ValueError):
        slot_at(NINE, candidate=None, named=[], free_candidates=["a"], free_interviewers=["i"])
