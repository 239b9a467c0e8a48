"""A condition the case's move must also meet, for a case the door did not read this time.

Why: a transition on a case kept from before (adapters.snapshots) has not checked that the
row is still that one, nor that the caller may still see it. Both checks then go into the
move itself, the one conditional UPDATE that is the state change (engine/combined): it
writes only if the row is unchanged and visible to the caller. A move that cannot carry
the gate (one with effects, or one that must read its timers first), or that finds it
false, raises ``Unverified`` having written nothing, and the caller starts over from a
fresh read, which then answers 404 or 409 as it would have.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

__all__ = ["Gate", "Unverified", "gated"]


class Unverified(Exception):  # noqa: N818 - not an error: "read the case, then try again"
    """The move could not check its gate, or the gate was false: nothing was written."""


@dataclass(frozen=True)
class Gate:
    key: Hashable  # one condition's shape (e.g. the caller's role): the statement is cached by it
    condition: Callable[[], Any]  # builds the SQL condition, with bound parameters, once per key
    params: dict[str, Any]  # the values of those parameters for this move


_GATED: dict[tuple[int, Hashable], Any] = {}


def gated(write: Any, gate: Gate) -> Any:
    """``write`` with the gate's condition added to its WHERE, built once per shape."""
    key = (id(write), gate.key)
    statement = _GATED.get(key)
    if statement is None:
        statement = _GATED[key] = write.where(gate.condition())
    return statement
