"""Jinja for what the product writes outside the web pages: mails and documents.

One environment over ``templates/``, independent of Flask, so a Celery task renders
exactly what the embedded mode renders. Dates are shown in Asia/Seoul.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..domain.calendar import KST
from ..domain.particles import attach

__all__ = ["environment", "TEMPLATES_DIR", "kdate", "kdatetime"]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
WEEKDAYS_KO = "월화수목금토일"


def _parse(value: Any) -> datetime | date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def kdate(value: Any) -> str:
    """``2026년 10월 12일(월)``: a day as Korean official documents write it."""
    parsed = _parse(value)
    if parsed is None:
        return "-"
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(KST).date()
    return f"{parsed.year}년 {parsed.month}월 {parsed.day}일({WEEKDAYS_KO[parsed.weekday()]})"


def kdatetime(value: Any) -> str:
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return kdate(value)
    local = parsed.astimezone(KST)
    return f"{kdate(local)} {local:%H:%M} KST"


def isodate(value: Any) -> str:
    parsed = _parse(value)
    if parsed is None:
        return "-"
    if isinstance(parsed, datetime):
        parsed = parsed.astimezone(KST).date()
    return parsed.isoformat()


def particle(word: Any, both: str) -> str:
    """``{{ name | particle("이(가)") }}``: the word with the particle its sound takes."""
    return attach(f"{word}{both}")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),  # mails (.txt) are plain text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(kdate=kdate, kdatetime=kdatetime, isodate=isodate, particle=particle)
    return env
