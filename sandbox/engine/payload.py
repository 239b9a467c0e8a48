"""Generic validation of the payload fields a definition declares for a transition.

Types: ``text`` (non-empty), ``line`` (non-empty, one line of at most 200 characters: a
name or a number), ``int``, ``date`` (YYYY-MM-DD), ``datetime`` (ISO 8601 with an
offset), ``bool``, ``agencies`` (a non-empty list of agency codes) and
``choice:a|b|c`` (one of those codes); a trailing ``?`` makes the field optional. Richer rules
(positions and their required texts, insurance minimums) live in the effects.

A field the transition does not declare is refused when the caller asks for it
(``refuse_undeclared``: what people send through the API), so a misspelt field is an error
instead of a value silently lost; the engine's own fires (a committee's resolution, a
reply's position) carry fields their effects read and pass without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ..domain.errors import Invalid

__all__ = ["clean_payload", "choices_of", "CHOICE"]

MAX_TEXT = 20_000
MAX_LINE = 200
UNDECLARED = "알 수 없는 항목입니다. / Unknown field."
CHOICE = "choice:"


def choices_of(kind: str) -> tuple[str, ...] | None:
    """The codes a ``choice:a|b|c`` field may take, or None for another kind."""
    kind = kind.rstrip("?")
    return tuple(kind.removeprefix(CHOICE).split("|")) if kind.startswith(CHOICE) else None


def clean_payload(
    spec: Mapping[str, str], raw: Mapping[str, Any], is_agency: Callable[[str], bool],
    *, refuse_undeclared: bool = False,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if refuse_undeclared:
        errors.update({name: [UNDECLARED] for name in raw if name not in spec})
    clean: dict[str, Any] = {}
    for name, kind in spec.items():
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        value = raw.get(name)
        if value is None or value == "" or value == []:
            if not optional:
                errors[name] = ["필수 항목입니다. / This field is required."]
            continue
        try:
            clean[name] = _convert(kind, value, is_agency)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if errors:
        raise Invalid(errors)
    return clean


def _convert(kind: str, value: Any, is_agency: Callable[[str], bool]) -> Any:
    if (options := choices_of(kind)) is not None:
        if not isinstance(value, str) or value not in options:
            raise ValueError("다음 중 하나를 고르세요. / One of: " + ", ".join(options))
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ValueError("내용을 입력하세요. / Enter a text.")
        if len(value) > MAX_TEXT:
            raise ValueError(f"{MAX_TEXT}자 이하로 입력하세요. / At most {MAX_TEXT} characters.")
        return value.strip()
    if kind == "line":
        if not isinstance(value, str) or not value.strip():
            raise ValueError("내용을 입력하세요. / Enter a text.")
        if len(value) > MAX_LINE or "\n" in value.strip():
            raise ValueError(f"한 줄, {MAX_LINE}자 이하로 입력하세요. / "
                             f"One line of at most {MAX_LINE} characters.")
        return value.strip()
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("정수를 입력하세요. / Enter a whole number.")
        if value < 1:
            raise ValueError("1 이상이어야 합니다. / Must be at least 1.")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("true 또는 false. / Must be true or false.")
        return value
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("날짜는 YYYY-MM-DD 형식입니다. / A date as YYYY-MM-DD.") from None
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ValueError("시간대가 있는 ISO 8601 시각이어야 합니다. / An ISO 8601 time with an offset.")
        return moment.isoformat()
    if kind == "agencies":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("기관 코드 목록이어야 합니다. / A list of agency codes.")
        unknown = [v for v in value if not is_agency(v)]
        if unknown:
            raise ValueError(f"알 수 없는 기관 / Unknown agencies: {', '.join(unknown)}")
        return sorted(set(value))
    raise ValueError(f"unknown type {kind}")
