"""The PDF renderer port: HTML in, PDF bytes out (WeasyPrint), with an in-memory twin."""

from __future__ import annotations

from typing import Protocol

from .templating import TEMPLATES_DIR

__all__ = ["Renderer", "WeasyPrintRenderer", "HtmlTwinRenderer"]


class Renderer(Protocol):
    def render(self, html: str) -> bytes:
        """The PDF of ``html``."""


class WeasyPrintRenderer:
    """Pango lays out the text; fontconfig finds the Korean font the bootstrap installs
    (fonts-noto-cjk), so Hangul is drawn with real glyphs and stays extractable."""

    def render(self, html: str) -> bytes:
        from weasyprint import HTML  # imported late: it loads Pango at import time

        return HTML(string=html, base_url=str(TEMPLATES_DIR / "documents")).write_pdf()  # type: ignore[no-any-return]


class HtmlTwinRenderer:
    """For unit tests that look at the facts, not the typesetting: the HTML as bytes."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    def render(self, html: str) -> bytes:
        self.rendered.append(html)
        return html.encode("utf-8")
