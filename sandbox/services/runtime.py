"""What every service needs: the engine, a way to open a unit of work, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..adapters.db import SessionFactory, UnitOfWork
from ..domain.clock import Clock
from ..engine.runtime import Engine

__all__ = ["Runtime"]


@dataclass
class Runtime:
    engine: Engine
    session_factory: SessionFactory
    clock: Clock
    rule_set: str = "2020"
    # Called after commit with the ids of new outbox rows / documents (embedded: in-process).
    publish: Callable[[], None] = field(default=lambda: None)

    def uow(self, *, lone: bool = False) -> UnitOfWork:
        return UnitOfWork(self.session_factory, lone=lone)
