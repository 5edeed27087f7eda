"""The match solver alone (no database, no queue): the uncapped solve against the solve with
load caps and a requirement, at sizes up to the benchmark's full one, on the benchmark's own
synthetic data (bench.dataset, the `main` window: four weeks of 20 working days).

Capped: every interviewer has a cap of 4 interviews a day and 12 a week (UTC days, Monday
weeks), every other interviewer carries the tag `senior`, and every panel needs one of them.
Prints a Markdown table: median seconds of each solve, their ratio, what was scheduled, the
smallest panel, whether the match is proven optimal, and the gaps to what is proven
(`stats.bound`: on candidates, on the smallest panel, and on the sum of start times, as hours
and as a share of the least it could be); with `--plot`, seconds against size on log-log axes.

    python -m bench.solver_curve                 # every size, 3 runs each
    python -m bench.solver_curve --sizes 500 2000 --repeats 5 --plot bench/solver_curve.png
    python -m bench.solver_curve --window tight   # 4 % free: capacity binds
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.dataset import generate
from bench.sizes import Size
from scheduling.match import Limit, Match, Person, Requirement, solve

SIZES = (20, 60, 120, 200, 500, 1000, 2000)  # interviewers; five candidates each
NOW = datetime(2026, 11, 2, tzinfo=UTC)  # any fixed date: the data are the same every run
DAY_CAP, WEEK_CAP, TAG = 4, 12, "senior"
REQUIREMENTS = (Requirement(frozenset({TAG}), 1),)


@dataclass(frozen=True)
class Sample:
    """One size: the uncapped and capped people, and the capped solve's inputs."""

    candidates: list[Person]
    plain: list[Person]
    capped: list[Person]
    hours: int


def sample(interviewers: int, window: str = "main") -> Sample:
    """The benchmark's people at this size, their free hours in `window` (`main`, 30 % free,
    or `tight`, 4 %: capacity binds) as the solver takes them."""
    size = Size(f"{interviewers}", interviewers=interviewers, candidates=5 * interviewers,
                days=20, free=0.3, tight_free=0.04, repeats=1, requests=1, seconds=1.0,
                writes=1, scale_jobs=1)
    data = generate(size, NOW)
    free = [sorted(int(h.timestamp()) for r in ranges for h in r.starts())
            for ranges in data.free[window]]
    span = getattr(data, window)
    first = datetime.combine(span.start.date(), datetime.min.time(), UTC)
    days = [first + timedelta(days=d) for d in range((span.end - first).days + 1)]
    day_hours = [frozenset(int((d + timedelta(hours=k)).timestamp()) for k in range(24))
                 for d in days]
    weeks: dict[int, frozenset[int]] = {}
    for d, hours in zip(days, day_hours, strict=True):
        week = (d - timedelta(days=d.weekday())).toordinal()
        weeks[week] = weeks.get(week, frozenset()) | hours
    limits = (*(Limit(h, DAY_CAP) for h in day_hours),
              *(Limit(h, WEEK_CAP) for h in weeks.values()))
    plain = [Person(f"i{i:05d}", free[i]) for i in data.interviewers]
    capped = [Person(p.id, p.free, frozenset({TAG}) if i % 2 else frozenset(), limits)
              for i, p in enumerate(plain)]
    candidates = [Person(f"c{c:05d}", free[c]) for c in data.candidates]
    return Sample(candidates, plain, capped, len(span.hours()))


def timed(action: Callable[[], Match], repeats: int) -> tuple[float, Match]:
    """The median seconds of `repeats` runs, and the (identical) result."""
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    assert result is not None
    return statistics.median(times), result


@dataclass(frozen=True)
class Point:
    candidates: int
    uncapped: float  # seconds
    capped: float
    optimal: bool


def start_gap(s: Sample, match: Match) -> str:
    """The hours by which the sum of start times may exceed the least, and their share of it."""
    assert match.stats.bound is not None
    over = match.stats.bound.start_hours_over
    first = min(min(p.free) for p in s.capped if p.free)
    ours = sum(int(i.start.timestamp()) - first for i in match.interviews) // 3600
    return f"{over:,} h ({over / max(ours - over, 1):.2%})"


def row(interviewers: int, repeats: int, window: str) -> tuple[str, Point]:
    s = sample(interviewers, window)
    uncapped, _ = timed(lambda: solve(s.candidates, s.plain), repeats)
    capped, match = timed(lambda: solve(s.candidates, s.capped, None, REQUIREMENTS), repeats)
    stats, bound = match.stats, match.stats.bound
    gaps = "—" if bound is None else (
        f"{bound.scheduled - stats.scheduled} / {(bound.min_panel or 0) - (stats.min_panel or 0)}"
        f" / {start_gap(s, match)}")
    return (f"| {len(s.candidates):,} × {interviewers:,} × {s.hours} | {uncapped:.3f} | "
            f"{capped:.3f} | {capped / uncapped:.2f} | {stats.scheduled:,} | {stats.min_panel} | "
            f"{'yes' if stats.optimal else 'no'} | {gaps} |",
            Point(len(s.candidates), uncapped, capped, stats.optimal))


def plot(points: list[Point], path: str) -> None:
    """Seconds against candidates, log-log: the capped solve filled where proven optimal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    xs = [p.candidates for p in points]
    ax.loglog(xs, [p.uncapped for p in points], "o-", color="tab:blue", label="uncapped")
    ax.loglog(xs, [p.capped for p in points], "-", color="tab:orange",
              label="caps 4/day, 12/week + a requirement")
    for proven in (True, False):
        chosen = [p for p in points if p.optimal is proven]
        ax.scatter([p.candidates for p in chosen], [p.capped for p in chosen], zorder=3,
                   color="tab:orange" if proven else "white", edgecolors="tab:orange",
                   label="proven optimal" if proven else "not proven (bound reported)")
    ax.set_xlabel("candidates (interviewers: a fifth as many), 160 hours")
    ax.set_ylabel("solve, seconds (median)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES,
                        help="interviewers at each size (candidates: five times as many)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--window", choices=("main", "tight"), default="main",
                        help="tight: 4 %% of hours free instead of 30 %%, so capacity binds")
    parser.add_argument("--plot", help="write the curve to this PNG")
    args = parser.parse_args()
    print("| candidates × interviewers × hours | uncapped s | capped s | ratio | scheduled | "
          "smallest panel | optimal | gap: candidates / panel / start times |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    points = []
    for interviewers in args.sizes:
        line, point = row(interviewers, args.repeats, args.window)
        print(line, flush=True)
        points.append(point)
    if args.plot:
        plot(points, args.plot)


if __name__ == "__main__":
    main()
