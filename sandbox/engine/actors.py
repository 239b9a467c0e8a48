"""Who acts: a signed-in user, or the product itself (timers, the committee's decision)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Actor", "SYSTEM", "COMMITTEE", "ROLES", "RESIDENT"]

ROLES = ("applicant", "local_government", "agency", "committee_member", "secretariat")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str
    org: str
    name: str

    @property
    def label(self) -> str:
        if self.user_id is None:
            return self.name
        return f"{self.name} <{self.role}:{self.org}#{self.user_id}>"


SYSTEM = Actor(None, "system", "MOLIT", "system (timer)")
COMMITTEE = Actor(None, "committee", "MOLIT", "국가스마트도시위원회 (National Smart City Committee)")
# A resident's comment is audited under this prefix and the name the resident gave.
RESIDENT = "resident: "
