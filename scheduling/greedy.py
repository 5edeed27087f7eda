"""A quick schedule under limits: the hours in time order, each taking as many interviews of
at least `size` seats as its interviewers with room left can fill, until `target` are placed.

Earliest hours first is what guarantee 5 asks for. Which interviewers sit matters for later
hours: one whose limits have at least as much room as they have free hours left in them
(slack = hours left − room ≤ 0) loses nothing by sitting now, so they sit first, the most
room to spare first; each of the others gives up a seat later, and those with the most free
hours to spare sit first among them.
Which candidates take the hour: those whose last possible hour comes first (earliest
deadline), so candidates free only early are not crowded out. The result is feasible by
construction; how good it is, the bounds of scheduling.bounds tell.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice

from scheduling.instance import Instance
from scheduling.seating import Plan, core

_UNLIMITED = -(1 << 30)  # the slack of an interviewer no limit holds at the hour


def active_hours(inst: Instance) -> list[bool]:
    """Hours that can hold an interview: one panel can be formed, and some candidate is free."""
    return [ok and bool(cands) for ok, cands in zip(inst.formable, inst.at_hour, strict=True)]


def construct(inst: Instance, size: int, target: int,
              start: Plan | None = None) -> tuple[Plan, int]:
    """A plan of at most `target` interviews of at least `size` seats, and its count; with
    `start`, its interviews (and their seats) are kept and others added around them.

    Feasible by construction: an hour takes only panels that its interviewers with room left
    can form (Hall's condition), each seat is counted against its limits at once, and each
    candidate is taken once; the kept interviews lose a candidate only if none is left then.
    One pass over the hours: O(seats · limits per seat + candidate-hours), plus a sort of
    each hour's interviewers."""
    active = active_hours(inst)
    kept = start.panels if start else {}
    left = inst.unused_rooms((i, h) for h, members in (start.witness if start else {}).items()
                             for i in members)
    ahead = [0] * len(inst.rooms)  # free hours still to come inside each limit
    for h, pairs in enumerate(inst.open_chains):
        if active[h]:
            for _, chain in pairs:
                for limit in chain:
                    ahead[limit] += 1
    deadline = [-1] * len(inst.candidates)
    for h, cands in enumerate(inst.at_hour):
        if active[h]:
            for c in cands:
                deadline[c] = h
    urgent = [sorted(cands, key=deadline.__getitem__) if active[h] else []
              for h, cands in enumerate(inst.at_hour)]  # stable: ties stay in id order
    taken = bytearray(len(inst.candidates))
    panels: dict[int, int] = {}
    witness: dict[int, list[int]] = {}
    who: dict[int, list[int]] = {}
    placed = sum(kept.values())
    for h, pairs in enumerate(inst.open_chains):
        if placed == target and not kept:
            break
        if not active[h]:
            continue
        sitting = set(start.witness.get(h, ())) if start else set()
        able = [(i, chain) for i, chain in pairs
                if i not in sitting and all(left[limit] > 0 for limit in chain)]
        most = min(target - placed, inst.places.most_panels(
            Counter(inst.signature[i] for i, _ in able), size))
        chosen = list(islice((c for c in urgent[h] if not taken[c]), most + kept.get(h, 0)))
        more = len(chosen) - kept.get(h, 0)  # below 0 when candidates fall short of `start`
        placed += more
        if chosen:
            seats = core(inst, _by_slack(able, ahead, left), more, size) if more > 0 else []
            for i in seats:
                for limit in inst.chains[i].get(h, ()):
                    left[limit] -= 1
            for c in chosen:
                taken[c] = 1
            panels[h], witness[h], who[h] = len(chosen), [*sitting, *seats], sorted(chosen)
        for _, chain in pairs:
            for limit in chain:
                ahead[limit] -= 1
    return Plan(panels, witness, size, who), placed


def _by_slack(able: list[tuple[int, tuple[int, ...]]], ahead: list[int],
              left: list[int]) -> list[int]:
    """Interviewers in the order they should sit: slack ≤ 0 first, the most negative first;
    then the others, the largest slack first; ties by id."""
    keyed = []
    for i, chain in able:
        slack = max((ahead[limit] - left[limit] for limit in chain), default=_UNLIMITED)
        keyed.append((slack > 0, slack if slack <= 0 else -slack, i))
    return [i for _, _, i in sorted(keyed)]
