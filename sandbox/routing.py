"""URL converters of every route, the API's and the pages'."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from .domain.ids import MAX_ID

__all__ = ["RowIdConverter"]


class RowIdConverter(IntegerConverter):
    """``<int:...>`` up to what an id column holds: a longer number matches no route (404)
    instead of reaching the database (sandbox.domain.ids)."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
