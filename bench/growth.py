"""How a cost grows with size: the exponent of a power law fitted on log-log axes, overall
and between consecutive sizes (where a bend shows)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _logs(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("a fit needs two sizes or more, each with its figure")
    if min(*xs, *ys) <= 0:
        raise ValueError("sizes and figures must be positive to be fitted on log-log axes")
    return [math.log(x) for x in xs], [math.log(y) for y in ys]


def exponent(xs: Sequence[float], ys: Sequence[float]) -> float:
    """k of y ≈ c·x^k: the least-squares slope of log y on log x."""
    lx, ly = _logs(xs, ys)
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    spread = sum((x - mx) ** 2 for x in lx)
    if spread == 0:
        raise ValueError("a fit needs two different sizes")
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / spread


def segment_slopes(xs: Sequence[float], ys: Sequence[float]) -> list[float]:
    """The log-log slope between each pair of consecutive sizes (in the order given)."""
    lx, ly = _logs(xs, ys)
    return [(ly[i + 1] - ly[i]) / (lx[i + 1] - lx[i]) for i in range(len(lx) - 1)]
