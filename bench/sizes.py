"""How big a run is: `small` for CI, `medium` while developing, `full` for the report."""

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
