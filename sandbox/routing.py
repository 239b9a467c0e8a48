"""URL converters of every route, the API's and the pages', and the product's public
addresses."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

from .domain.ids import MAX_ID

__all__ = ["RowIdConverter", "calendar_feed_url"]


class RowIdConverter(IntegerConverter):
    """``<int:...>`` up to what an id column holds: a longer number matches no route (404)
    instead of reaching the database (sandbox.domain.ids)."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def calendar_feed_url(token: str) -> str:
    """The feed's address as calendar apps outside reach it: under the configured public
    address (SANDBOX_PUBLIC_URL, as in the mails), not the host this request came through,
    which behind a proxy is an inner one."""
    base = str(current_app.config["SANDBOX_PUBLIC_URL"]).rstrip("/")
    return f"{base}{url_for('documents.calendar_feed', token=token)}"
