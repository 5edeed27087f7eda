"""The fit gives a known power law's exponent back, and the segment slopes show a bend."""

from __future__ import annotations

import pytest

from bench.growth import exponent, segment_slopes

SIZES = [100, 316, 1000, 3162, 10000]


@pytest.mark.parametrize("k", [0.0, 0.5, 1.0, 1.37, 2.0])
def test_a_power_law_gives_its_exponent_back(k: float) -> None:
    ys = [4.2 * x**k for x in SIZES]
    assert exponent(SIZES, ys) == pytest.approx(k, abs=1e-9)
    assert segment_slopes(SIZES, ys) == pytest.approx([k] * 4, abs=1e-9)


def test_a_constant_plus_a_linear_part_bends_from_flat_to_linear() -> None:
    ys = [1000 + x for x in SIZES]  # a fixed cost that the linear part overtakes
    slopes = segment_slopes(SIZES, ys)
    assert slopes == sorted(slopes)
    assert slopes[0] < 0.3 and slopes[-1] > 0.7
    assert 0 < exponent(SIZES, ys) < 1


def test_noise_around_a_power_law_leaves_the_fit_near_it() -> None:
    ys = [x**1.5 * f for x, f in zip(SIZES, [1.1, 0.9, 1.05, 0.95, 1.0], strict=True)]
    assert exponent(SIZES, ys) == pytest.approx(1.5, abs=0.05)


@pytest.mark.parametrize(("xs", "ys"), [([100], [1.0]), ([100, 100], [1.0, 2.0]),
                                        ([100, 200], [1.0, 0.0]), ([100, 200], [1.0])])
def test_a_fit_without_two_positive_sizes_is_refused(xs: list[float], ys: list[float]) -> None:
    with pytest.raises(ValueError):
        exponent(xs, ys)
