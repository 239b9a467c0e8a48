"""Cases written straight as rows, for tests of what only reads them (lists, queues, the
register): the procedures themselves are driven through the API elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def add_cases(app: Any, filer: int, rows: list[dict[str, Any]]) -> list[int]:
    """One case per dict of fields, by default a district of Sejong's filed by ``filer``;
    returns their ids."""
    from sandbox.adapters.tables import Case

    rt = app.extensions["sandbox"]
    now = datetime.now(UTC)
    defaults = {"process": "district_designation", "definition_version": 1, "rule_set": "2020",
                "filer_user_id": filer, "filer_org": "sejong", "local_government": "sejong",
                "created_at": now, "updated_at": now}
    with rt.uow() as uow:
        cases = [Case(**{**defaults, **fields}) for fields in rows]
        uow.session.add_all(cases)
        uow.commit()
        return [c.id for c in cases]  # type: ignore[misc]
