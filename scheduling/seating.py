"""From a plan (how many interviews each hour holds, and interviewers whose seats make them
possible) to panels: who sits, and on which panel.

A plan's seats at an hour, `witness`, can form its k panels of at least `size` seats each
and, over all hours, keep within every limit. Seating then goes in two sweeps over the hours:
1. the core: k · size seats taken from the witness, the requirements' places first, the
   least-loaded (over earlier cores) then lowest id first; a subset of the witness keeps
   within the limits, and releasing the rest only frees room;
2. the maximal seating (guarantee 4): every interviewer free at the hour, not kept out by a
   limit without room (the cores of every hour counted) sits, the least-loaded first, until
   the hour's panels are full (k · max_panel_size). One sweep suffices: room only shrinks and
   panels only fill, so whoever was turned away stays rightly turned away.
Adding seats never breaks guarantees 1–3 or 5. Each hour's seats are then dealt over its
panels: the requirements' places round-robin, then everyone else round-robin, so every panel
fills its places and sizes differ by at most one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from scheduling.instance import Instance


@dataclass(frozen=True)
class Plan:
    panels: dict[int, int]  # hour → interviews then
    witness: dict[int, list[int]]  # hour → interviewers whose seats make them possible
    size: int  # the smallest panel the witness allows
    candidates: dict[int, list[int]] | None = None  # hour → who, when the plan chose them


def core(inst: Instance, members: list[int], panels: int, size: int) -> list[int]:
    """`panels` · `size` of `members` (in their order of preference) filling every place: the
    places' fillers, then seats for those who fill no place first, to keep carriers of tags
    free for places elsewhere."""
    places = inst.places
    fillers = [m for group in places.fillers(members, inst.signature, panels) for m in group]
    chosen = set(fillers)
    rest = sorted((m for m in members if m not in chosen),
                  key=lambda m: inst.signature[m] != 0)  # stable: keeps the preference order
    return fillers + rest[:panels * size - len(fillers)]


def seat(inst: Instance, plan: Plan) -> tuple[dict[int, list[int]], list[int]]:
    """Each hour's seated interviewers, and every limit's room left (for the reasons)."""
    load: Counter[int] = Counter()
    seated: dict[int, list[int]] = {}
    for h in sorted(plan.panels):
        members = sorted(plan.witness[h], key=lambda m: (load[m], m))
        seated[h] = core(inst, members, plan.panels[h], plan.size)
        load.update(seated[h])
    left = inst.unused_rooms((i, h) for h, seats in seated.items() for i in seats)
    cap = inst.places.max_panel
    for h in sorted(plan.panels):
        full = None if cap is None else cap * plan.panels[h]
        sitting = set(seated[h])
        for i in sorted((i for i in inst.open_at[h] if i not in sitting),
                        key=lambda m: (load[m], m)):
            if full is not None and len(seated[h]) >= full:
                break
            chain = inst.chains[i].get(h, ())
            if all(left[limit] > 0 for limit in chain):
                for limit in chain:
                    left[limit] -= 1
                seated[h].append(i)
                load[i] += 1
    return seated, left


def deal(inst: Instance, seated: list[int], panels: int) -> list[list[int]]:
    """One hour's seated interviewers over its panels: places round-robin, then the rest."""
    members = sorted(seated)
    out: list[list[int]] = [[] for _ in range(panels)]
    placed: set[int] = set()
    for group in inst.places.fillers(members, inst.signature, panels):
        for n, member in enumerate(group):
            out[n % panels].append(member)
        placed.update(group)
    for n, member in enumerate(m for m in members if m not in placed):
        out[n % panels].append(member)
    return [sorted(panel) for panel in out]
