"""Named guards and effects that definitions refer to.

A guard returns ``None`` when the transition may go ahead, or the reason it may not (the
caller gets 409 with that reason). An effect does the work a transition implies beyond the
state change (opening consultations, recording a reply) inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .door import FireContext

__all__ = ["GUARDS", "EFFECTS", "guard", "effect"]

Guard = Callable[["FireContext"], str | None]
Effect = Callable[["FireContext"], None]

GUARDS: dict[str, Guard] = {}
EFFECTS: dict[str, Effect] = {}


def guard(name: str) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[name] = fn
        return fn

    return register


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn

    return register
