"""The public register as CSV, one writer for the API's ``/register.csv`` and the page's
filtered export.

UTF-8 with a byte-order mark, so Korean spreadsheet software opens it as UTF-8. The register
holds what applicants typed (titles, operator names, laws, conditions), and a spreadsheet
runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula: such a cell is written with a leading apostrophe, which spreadsheets show
as text (OWASP, "CSV Injection"). Nothing else in a cell changes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

__all__ = ["CSV_COLUMNS", "as_csv", "as_text_cell"]

CSV_COLUMNS = [
    "reference", "kind", "name", "operator", "local_government", "area", "approval_date",
    "start_date", "end_date", "lead_agency", "regulating_agencies", "exceptions", "conditions",
    "status",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value: Any) -> str:
    """The cell as a spreadsheet shows it and never runs it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(entry: dict[str, Any]) -> list[str]:
    row = dict(entry)
    row["regulating_agencies"] = ";".join(entry.get("regulating_agencies") or [])
    row["conditions"] = " / ".join(entry.get("conditions") or [])
    row["exceptions"] = " / ".join(
        f"{e.get('law')} {e.get('article')}" for e in entry.get("exceptions") or [])
    return [as_text_cell(row.get(column)) for column in CSV_COLUMNS]


def as_csv(entries: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(entry) for entry in entries)
    return out.getvalue()
