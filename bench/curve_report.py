"""The report of the `--size curve` run: the figures at each size, each metric's fitted
exponent and its slopes between consecutive sizes, and one log-log chart of them all."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.growth import exponent, segment_slopes
from bench.report import NO_CHART, provenance
from bench.sizes import Size

CHART = "curve.png"
REPORT = "curve.md"


@dataclass(frozen=True)
class Point:
    """One size's figures (medians of its repeats)."""

    size: Size
    main_hours: int  # free hours in the main window: the match's and the slot queries' input
    import_what: str  # the import's row: how many hours, in how many requests
    named_ms: float
    candidate_ms: float
    match_s: float
    import_rows_s: float
    copy_rows_s: float  # a raw COPY of the same rows, for why the import rate moves
    peak_mib: float  # VmHWM of the worker process that ran the matches
    idle_mib: float  # VmHWM of the pool processes before any match: the fixed part

    @property
    def people(self) -> int:
        return self.size.interviewers + self.size.candidates


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    of: Callable[[Point], float]


METRICS = (
    Metric("slot p50, candidate + 3 interviewers", "ms", lambda p: p.named_ms),
    Metric("slot p50, candidate only", "ms", lambda p: p.candidate_ms),
    Metric("match of everyone, submit → succeeded", "s", lambda p: p.match_s),
    Metric("bulk import rate", "rows/s", lambda p: p.import_rows_s),
    Metric("raw COPY rate (the import's floor)", "rows/s", lambda p: p.copy_rows_s),
    Metric("worker peak RSS (VmHWM)", "MiB", lambda p: p.peak_mib),
    Metric("worker peak RSS above its idle", "MiB", lambda p: p.peak_mib - p.idle_mib),
)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _fit(points: Sequence[Point], metric: Metric) -> tuple[str, list[str]]:
    """The exponent and the segment slopes, as text; dashes where a figure is not positive."""
    xs, ys = [p.people for p in points], [metric.of(p) for p in points]
    if min(ys) <= 0:
        return "—", ["—"] * (len(points) - 1)
    return (f"{exponent(xs, ys):.2f}", [f"{s:.2f}" for s in segment_slopes(xs, ys)])


def markdown(points: Sequence[Point], seconds: float, load: float, charted: bool = True) -> str:
    sizes = [f"{p.size.interviewers:,}" for p in points]
    lines = [
        "# How cost grows with size",
        "",
        f"{provenance('curve', seconds)} Load average at the start: "
        f"{load:.2f} ({os.cpu_count()} cores). At each size a fresh database and stack "
        "(gunicorn 2 × 4 threads, 2 worker processes), the dataset loaded through the API; five "
        "candidates per interviewer, four weeks of 20 working days, 30 % of hours free. Figures "
        "are medians. MATCH_MAX_CELLS is raised for the run (the stack's setting).",
        "",
        "| interviewers | candidates | people | free hours, main window | "
        + " | ".join(f"{m.name} ({m.unit})" for m in METRICS) + " |",
        "| ---: " * (4 + len(METRICS)) + "|",
    ]
    lines += [f"| {p.size.interviewers:,} | {p.size.candidates:,} | {p.people:,} | "
              f"{p.main_hours:,} | " + " | ".join(_fmt(m.of(p)) for m in METRICS) + " |"
              for p in points]
    lines += [
        "",
        "Exponent k of each metric ≈ c · people^k: least squares of log metric on log people "
        "over all sizes, then the slope between each pair of consecutive sizes (a bend shows "
        "as slopes that change). 1 is linear, 0 flat; a rate's exponent is 0 when each row "
        "costs the same at every size.",
        "",
        "| metric | exponent | " + " | ".join(
            f"{a} → {b}" for a, b in zip(sizes, sizes[1:], strict=False)) + " |",
        "| --- | ---: |" + " ---: |" * (len(points) - 1),
    ]
    for metric in METRICS:
        k, slopes = _fit(points, metric)
        lines.append(f"| {metric.name} | {k} | " + " | ".join(slopes) + " |")
    lines += ["", "Imports and matches at each size:", ""]
    lines += [f"- {p.size.interviewers:,} interviewers: {p.import_what}; "
              f"{p.size.repeats} runs of each measurement; worker idle VmHWM "
              f"{p.idle_mib:.0f} MiB" for p in points]
    lines += ["", f"![each metric against people, log-log]({CHART})" if charted
              else f"({NO_CHART})", ""]
    return "\n".join(lines)


def chart(points: Sequence[Point], path: Path) -> None:
    """Each metric over its value at the smallest size, against people, log-log, with
    slopes 0 and 1 drawn for reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [p.people for p in points]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for ref, style in ((0, ":"), (1, "--")):
        ax.loglog(xs, [(x / xs[0]) ** ref for x in xs], style, color="grey", linewidth=1,
                  label=f"slope {ref}")
    for metric in METRICS:
        ys = [metric.of(p) for p in points]
        if min(ys) <= 0:
            continue
        ax.loglog(xs, [y / ys[0] for y in ys], "o-",
                  label=f"{metric.name} (k = {exponent(xs, ys):.2f})")
    ax.set_xlabel("people (interviewers + candidates, 5 candidates per interviewer)")
    ax.set_ylabel("metric / its value at the smallest size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(points: Sequence[Point], folder: Path, seconds: float, load: float,
          charted: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if charted:
        chart(points, folder / CHART)
    report = folder / REPORT
    report.write_text(markdown(points, seconds, load, charted))
    return report
