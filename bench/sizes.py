"""How big a run is: `small` for CI, `medium` while developing, `full` for the report, and the
sizes of the `curve` run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    interviewers: int
    candidates: int
    days: int  # working days of the window (8 hours each)
    free: float  # the share of working hours each person has free
    tight_free: float  # the same in the contended window, where capacity binds
    repeats: int  # runs of every measurement
    requests: int  # requests per latency run
    seconds: float  # length of a throughput run
    writes: int  # small availability writes per run
    scale_jobs: int  # match jobs in the scale-out batch
    seed: int = 20261128


SIZES = {
    "small": Size("small", interviewers=40, candidates=200, days=20, free=0.3, tight_free=0.04,
                  repeats=2, requests=60, seconds=1.0, writes=40, scale_jobs=4),
    "medium": Size("medium", interviewers=500, candidates=2500, days=20, free=0.3,
                   tight_free=0.04, repeats=3, requests=300, seconds=3.0, writes=300,
                   scale_jobs=6),
    "full": Size("full", interviewers=2000, candidates=10000, days=20, free=0.3,
                 tight_free=0.04, repeats=3, requests=1000, seconds=5.0, writes=600,
                 scale_jobs=8),
}

# The `curve` run: interviewers at each size (a factor √10 apart: 100× in all), five
# candidates each; --interviewers chooses others.
CURVE = (100, 316, 1000, 3162, 10000)
CURVE_BIG = 3000  # from this many interviewers a size runs each measurement twice, not thrice


def curve_size(interviewers: int) -> Size:
    """A size of the curve run: the `full` dataset's shape at `interviewers`, fewer requests."""
    return Size(f"curve-{interviewers}", interviewers=interviewers, candidates=5 * interviewers,
                days=20, free=0.3, tight_free=0.04,
                repeats=2 if interviewers >= CURVE_BIG else 3, requests=100, seconds=1.0,
                writes=0, scale_jobs=0)
