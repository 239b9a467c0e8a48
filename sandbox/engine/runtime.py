"""The engine object: loaded definitions, rule sets and the calendar, checked together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..domain.calendar import KoreanCalendar, default_calendar
from ..domain.rules import RuleSet, parse_rule_sets
from .definitions import Definition, DefinitionError, Registry, load_registry
from .hooks import EFFECTS, GUARDS

__all__ = ["Engine", "load_engine", "WORKFLOWS_DIR"]

WORKFLOWS_DIR = Path(__file__).resolve().parents[2] / "workflows"


class Engine:
    def __init__(
        self, registry: Registry, rule_sets: dict[str, RuleSet], calendar: KoreanCalendar
    ) -> None:
        self.registry = registry
        self.rule_sets = rule_sets
        self.calendar = calendar
        self._check_hooks()

    def _check_hooks(self) -> None:
        from . import hook_modules  # noqa: F401  (registers every guard and effect)

        for d in self.registry.all():
            for t in d.transitions:
                for name in t.guards:
                    if name not in GUARDS:
                        raise DefinitionError(f"{d.process}: unknown guard {name!r}")
                for name in t.effects:
                    if name not in EFFECTS:
                        raise DefinitionError(f"{d.process}: unknown effect {name!r}")
            for timer in d.timers:
                for rules in self.rule_sets.values():
                    if timer.period and timer.period not in rules.periods:
                        raise DefinitionError(f"{d.process}: no period {timer.period!r}")
                    if timer.reminders and timer.reminders not in rules.reminders:
                        raise DefinitionError(f"{d.process}: no reminders {timer.reminders!r}")

    def definition(self, subject: Any) -> Definition:
        return self.registry.get(subject.process, subject.definition_version)

    def rules(self, code: str) -> RuleSet:
        return self.rule_sets[code]


def load_engine(directory: Path = WORKFLOWS_DIR) -> Engine:
    raw = yaml.safe_load((directory / "rule_sets.yaml").read_text(encoding="utf-8"))
    return Engine(load_registry(directory), parse_rule_sets(raw), default_calendar())
