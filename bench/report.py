"""The report: a Markdown table of every target, and a chart of the ratios against them."""

from __future__ import annotations

import importlib.util
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.stats import Row

CHART = "ratios.png"


NO_CHART = ("matplotlib is not installed: the report will have no chart "
            "(`pip install -e '.[bench]'` adds it)")


def can_chart() -> bool:
    """matplotlib comes with the `bench` extra (and `dev`); the run checks it before it starts."""
    return importlib.util.find_spec("matplotlib") is not None


def provenance(size: str, seconds: float) -> str:
    """The command, when, on what, and how long the run took."""
    return (f"`interview-calendar bench --size {size}`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.node()} ({platform.machine()}, Python {platform.python_version()}), "
            f"{seconds / 60:.1f} min.")


def markdown(rows: Sequence[Row], size: str, seconds: float, profiles: Sequence[str],
             charted: bool = True) -> str:
    met = sum(r.met for r in rows)
    lines = [
        "# Benchmark report",
        "",
        f"{provenance(size, seconds)} Ratios compare medians measured in this run on this "
        "machine; absolute figures are for reference only (the machine is shared and noisy).",
        "",
        f"**{met} of {len(rows)} targets met.**",
        "",
        "| measurement | ours: median (p99, min–max) | baseline | baseline: median (p99, "
        "min–max) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.what} | {r.ours.render()} | {r.baseline_name} | {r.baseline.render()} | "
              f"{r.ratio:.3g} | {r.target} | {'yes' if r.met else '**no**'} |" for r in rows]
    details = [f"- {r.what}: {r.note}" for r in rows if r.note]
    if details:
        lines += ["", "Notes:", "", *details]
    missed = [f"- {r.what}: {r.ratio:.3g}, target {r.target}" for r in rows if not r.met]
    if missed:
        lines += ["", "Not met:", "", *missed, "",
                  "Why: docs/PERFORMANCE.md, read with the profiles below."]
    lines += ["", f"![ratios against their targets]({CHART})" if charted else f"({NO_CHART})",
              ""]
    if profiles:
        lines += ["## Where the time goes", "",
                  "cProfile of the hot paths after the measurements, in the benchmark's "
                  "process, on the same database (HTTP handlers through Flask's test client; "
                  "job runners called directly).", "", *profiles]
    return "\n".join(lines)


def chart(rows: Sequence[Row], path: Path) -> None:
    """Each ratio as a bar (green when met), its target as a black tick; log scale."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 0.5 * len(rows) + 1.5))
    y = range(len(rows))
    ax.barh(list(y), [r.ratio for r in rows],
            color=["#3a9a5b" if r.met else "#c8453c" for r in rows])
    ax.scatter([r.bound for r in rows], list(y), marker="|", s=400, color="black",
               label="target", zorder=3)
    for i, r in zip(y, rows, strict=True):
        ax.annotate(f" {r.ratio:.3g} (target {r.target})", (r.ratio, i), va="center",
                    fontsize=8)
    ax.set_yticks(list(y), [_short(r.what) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    figures = [r.ratio for r in rows] + [r.bound for r in rows]
    ax.set_xlim(min(figures) / 2, max(figures) * 4)  # room for the labels
    ax.set_xlabel("ratio to the baseline (target: black tick; green = met)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(what: str, width: int = 90) -> str:
    return what if len(what) <= width else what[:width - 1] + "…"


def write(rows: Sequence[Row], folder: Path, size: str, seconds: float,
          profiles: Sequence[str] = (), charted: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if charted:
        chart(rows, folder / CHART)
    report = folder / "report.md"
    report.write_text(markdown(rows, size, seconds, profiles, charted))
    return report
