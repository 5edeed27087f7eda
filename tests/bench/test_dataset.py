"""The benchmark's dataset is the same for the same seed, and as free as its size says."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bench.dataset import generate
from bench.sizes import SIZES

NOW = datetime(2026, 11, 28, 21, tzinfo=UTC)


def test_the_same_seed_gives_the_same_dataset() -> None:
    assert generate(SIZES["small"], NOW) == generate(SIZES["small"], NOW)


def test_another_seed_gives_another_dataset() -> None:
    other = replace(SIZES["small"], seed=SIZES["small"].seed + 1)
    assert generate(other, NOW).free != generate(SIZES["small"], NOW).free


def test_people_are_free_at_about_the_share_of_working_hours_the_size_says() -> None:
    size = SIZES["medium"]
    data = generate(size, NOW)
    for window, share in (("main", size.free), ("tight", size.tight_free)):
        hours = sum(r.hours for ranges in data.free[window] for r in ranges)
        asked = share * len(data.roles) * len(getattr(data, window).hours())
        assert abs(hours - asked) < 0.02 * asked, (window, hours, asked)


def test_the_windows_are_four_weeks_of_working_days_that_do_not_overlap() -> None:
    data = generate(SIZES["full"], NOW)
    assert [len(w.days) for w in (data.main, data.tight, data.writes)] == [20, 20, 20]
    assert all(day.weekday() < 5 for day in data.main.days)
    assert data.main.end <= data.tight.start and data.tight.end <= data.writes.start
    assert data.main.start > NOW
