"""Reading issued PDFs back: their text (pypdf) and the fonts they embed."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[ \t]+", " ", text)


def pdf_fonts(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names: set[str] = set()
    for page in reader.pages:
        fonts: Any = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont")))
    return names


def squash(text: str) -> str:
    """Text without whitespace: line breaks fall anywhere in a typeset page."""
    return re.sub(r"\s+", "", text)
