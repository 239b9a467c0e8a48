"""The PDF renderer port: HTML in, PDF bytes out (WeasyPrint), with an in-memory twin."""

from __future__ import annotations

import re
from typing import Protocol

from .templating import TEMPLATES_DIR

__all__ = ["Renderer", "WeasyPrintRenderer", "HtmlTwinRenderer", "keep_korean_words"]

_TAG = re.compile(r"(<[^>]*>)")
_KOREAN_WORD = re.compile(r"[^\s<>]*[\uac00-\ud7a3][^\s<>]*")
# A longer run (a name typed without spaces) may still break, rather than overflow its cell.
LONGEST_KEPT_WORD = 16


class Renderer(Protocol):
    def render(self, html: str) -> bytes:
        """The PDF of ``html``."""


class WeasyPrintRenderer:
    """Pango lays out the text; fontconfig finds the Korean font the bootstrap installs
    (fonts-noto-cjk), so Hangul is drawn with real glyphs and stays extractable."""

    def render(self, html: str) -> bytes:
        from weasyprint import HTML  # imported late: it loads Pango at import time

        return HTML(string=keep_korean_words(html),  # type: ignore[no-any-return]
                    base_url=str(TEMPLATES_DIR / "documents")).write_pdf()


def keep_korean_words(html: str) -> str:
    """Each Korean word of the text kept on one line, as ``word-break: keep-all`` would.

    Why: Pango breaks Hangul between any two syllables (UAX #14 gives them the class of
    ideographs), so "아래" came out as "아 / 래" at a line end; WeasyPrint has no
    ``keep-all``. Korean separates its words with spaces, so a span that does not wrap
    around each word (tags, attributes and style sheets left alone) breaks lines between
    words only.
    """
    parts = _TAG.split(html)
    in_code = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:8].lower()
            if name.startswith(("style", "script")):
                in_code = True
            elif name.startswith(("/style", "/script")):
                in_code = False
        elif part and not in_code:
            parts[i] = _KOREAN_WORD.sub(_kept, part)
    return "".join(parts)


def _kept(word: re.Match[str]) -> str:
    text = word.group(0)
    if len(text) > LONGEST_KEPT_WORD:
        return text
    return f'<span style="white-space:nowrap">{text}</span>'


class HtmlTwinRenderer:
    """For unit tests that look at the facts, not the typesetting: the HTML as bytes."""

    def __init__(self) -> None:
        self.rendered: list[str] = []

    def render(self, html: str) -> bytes:
        self.rendered.append(html)
        return html.encode("utf-8")
