"""Why a candidate is left out: the first that applies, over all of its free hours, of
no_free_hour, no_interviewer, cap_reached, requirements, capacity (SPEC §5).

An interviewer counts as free at an hour when the hour is in their free hours, caps aside;
they are kept out by a limit holding the hour that has no room left once this match's own
interviews are counted (a limit of room 0 keeps them out from the start).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from scheduling.instance import Instance
from scheduling.problem import Reason


class Reasons:
    """Reasons against a finished match; what an hour offers is worked out once."""

    def __init__(self, inst: Instance, left: Sequence[int]) -> None:
        self.inst, self.left = inst, left
        self._hours: dict[int, tuple[bool, bool]] = {}

    def _hour(self, h: int) -> tuple[bool, bool]:
        """(someone not kept out, those not kept out could form a panel) at hour h."""
        if h not in self._hours:
            inst = self.inst
            uncapped = [i for i in inst.open_at[h]
                        if all(self.left[limit] > 0 for limit in inst.chains[i].get(h, ()))]
            self._hours[h] = (bool(uncapped), inst.places.most_panels(
                Counter(inst.signature[i] for i in uncapped), inst.places.smallest()) > 0)
        return self._hours[h]

    def of(self, c: int, hours: Sequence[int]) -> Reason:
        """Candidate c's reason, `hours` being those of its free hours some interviewer is
        free at (caps aside)."""
        if not self.inst.candidates[c].free:
            return "no_free_hour"
        if not hours:
            return "no_interviewer"
        offers = [self._hour(h) for h in hours]
        if not any(someone for someone, _ in offers):
            return "cap_reached"
        if not any(panel for _, panel in offers):
            return "requirements"
        return "capacity"
