"""Splitting interviewers into panels: one candidate each, sizes differing by at most one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def propose(candidates: Sequence[str], interviewers: Sequence[str], *,
            max_panel_size: int | None = None,
            load: Mapping[str, int] | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Panels for one hour, as (candidate, interviewers) pairs in candidate order.

    With more candidates than interviewers, only the first len(interviewers) candidates (in the
    given order) get a panel. Seats = min(#interviewers, #panels × max_panel_size); interviewers
    with the lowest `load` (then the lowest id) take them, dealt round-robin, so panel sizes
    differ by at most one and, without a cap, every interviewer sits on exactly one panel.
    """
    panels = list(candidates[: len(interviewers)])
    if not panels:
        return []
    seats = len(interviewers)
    if max_panel_size is not None:
        seats = min(seats, len(panels) * max_panel_size)
    if load:
        chosen = sorted(interviewers, key=lambda i: (load.get(i, 0), i))[:seats]
    else:  # the same order, without a key per interviewer: slots list thousands of them
        chosen = sorted(interviewers)[:seats]
    members = [chosen[k::len(panels)] for k in range(len(panels))]  # seat s → panel s mod k
    return [(candidate, tuple(sorted(m))) for candidate, m in zip(panels, members, strict=True)]
