"""Deny by default: who stands in which relation to a case (ARCHITECTURE rule 7).

Definitions name relations (``filer``, ``local_government``, ``agency``…); this module is
the only place that decides whether an actor holds one.
"""

from __future__ import annotations

from typing import Any

from .actors import Actor

__all__ = ["holds"]


def holds(relation: str, actor: Actor, case: Any, subject: Any, filer_roles: tuple[str, ...]) -> bool:
    if relation == "filer":
        return actor.role in filer_roles and actor.org == case.filer_org
    if relation == "secretariat":
        return actor.role == "secretariat"
    if relation == "local_government":
        return actor.role == "local_government" and actor.org == case.local_government
    if relation == "agency":
        agency = getattr(subject, "agency", None)
        return actor.role == "agency" and agency is not None and actor.org == agency
    if relation in ("system", "committee"):
        return actor.role == relation
    return False
