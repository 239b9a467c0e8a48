"""Rule sets: the legal values (periods, limits, reminder ladders) a case is decided by.

A case keeps the rule set in force when it was filed; the 2021 amendment kept earlier
approvals under the old rules (Smart City Act, 2021 addenda). The values themselves are
data in ``workflows/rule_sets.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .periods import Period

__all__ = ["RuleSet", "parse_rule_sets"]


@dataclass(frozen=True)
class RuleSet:
    code: str
    title: Mapping[str, str]
    features: Mapping[str, bool]
    periods: Mapping[str, Period]
    limits: Mapping[str, int]
    reminders: Mapping[str, tuple[int, ...]]

    def period(self, name: str) -> Period:
        return self.periods[name]

    def limit(self, name: str) -> int:
        return self.limits[name]

    def reminder_days(self, name: str | None) -> tuple[int, ...]:
        return self.reminders.get(name, ()) if name else ()

    def has(self, feature: str) -> bool:
        return bool(self.features.get(feature, False))


def parse_rule_sets(raw: Mapping[str, Any]) -> dict[str, RuleSet]:
    result = {}
    for code, body in raw["rule_sets"].items():
        result[str(code)] = RuleSet(
            code=str(code),
            title=body.get("title", {}),
            features=dict(body.get("features", {})),
            periods={k: Period.from_dict(v) for k, v in body["periods"].items()},
            limits={k: int(v) for k, v in body.get("limits", {}).items()},
            reminders={k: tuple(int(n) for n in v) for k, v in body.get("reminders", {}).items()},
        )
    return result
