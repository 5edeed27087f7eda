"""Summaries of repeated measurements, and the rows of the report."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Median, 99th percentile and range of a measurement's samples, in `unit`."""

    median: float
    p99: float
    low: float
    high: float
    samples: int
    unit: str

    @classmethod
    def of(cls, samples: Sequence[float], unit: str) -> Summary:
        if not samples:
            raise ValueError("a measurement without samples")
        ordered = sorted(samples)
        p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]
        return cls(statistics.median(ordered), p99, ordered[0], ordered[-1], len(ordered), unit)

    def render(self) -> str:
        return (f"{_fmt(self.median)} {self.unit} (p99 {_fmt(self.p99)}, "
                f"{_fmt(self.low)}–{_fmt(self.high)}, n={self.samples})")


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


@dataclass(frozen=True)
class Row:
    """One target: our figure against its baseline, as a ratio that the target bounds."""

    what: str
    ours: Summary
    baseline_name: str
    baseline: Summary
    at_least: bool  # the target is ratio ≥ bound (a throughput), else ratio ≤ bound (a time)
    bound: float
    note: str = ""
    holds: bool = True  # a side condition of the target, such as a proven optimum
    figure: str = "median"  # which figure of the two summaries the ratio compares

    @property
    def ratio(self) -> float:
        return float(getattr(self.ours, self.figure)) / float(getattr(self.baseline, self.figure))

    @property
    def met(self) -> bool:
        within = self.ratio >= self.bound if self.at_least else self.ratio <= self.bound
        return within and self.holds

    @property
    def target(self) -> str:
        return f"{'≥' if self.at_least else '≤'} {self.bound:g}"

