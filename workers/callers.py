"""Who is asking: the API key's role and person, and what that lets them see and change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from workers.errors import Forbidden


@dataclass(frozen=True)
class Caller:
    key_id: uuid.UUID
    role: str
    person_id: uuid.UUID | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_act_for(self, person_id: uuid.UUID) -> bool:
        return self.is_admin or self.person_id == person_id

    def may_see(self, person_id: uuid.UUID, role: str) -> bool:
        """A candidate never sees another candidate."""
        return not (self.role == "candidate" and role == "candidate"
                    and person_id != self.person_id)

    def require_acting_for(self, person_id: uuid.UUID | None, detail: str) -> None:
        """403 unless an admin, or `person_id` is the caller (whether or not it exists)."""
        if not self.is_admin and (person_id is None or person_id != self.person_id):
            raise Forbidden(detail)
