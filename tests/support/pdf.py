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


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page."""
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"[ \t]+", " ", page.extract_text() or "") for page in reader.pages]


LEGAL_BASIS = "근거 법령:"
# Who signs a document (templates/documents: the seal block); the Minister unless listed.
SEALS = {"committee_agenda": "국가스마트도시위원회", "committee_resolution": "국가스마트도시위원회 위원장"}


def seal_of(kind: str) -> str:
    return SEALS.get(kind, "국토교통부장관")


def lonely_closing(content: bytes, seal: str) -> str | None:
    """What is wrong when the closing of a document (its legal basis and the signature of
    ``seal``, the issuing authority) is not on the last page with some of the body: the
    last page must hold, before the legal basis, at least the body's last lines. None when
    all is well."""
    pages = pdf_pages(content)
    last = squash(pages[-1])
    where = f"page {len(pages)} of {len(pages)}"
    if squash(seal) not in last:
        return f"the signature ({seal}) is not on the last page, {where}:\n{pages[-1]}"
    body, found, _ = last.partition(squash(LEGAL_BASIS))
    if not found or not body:
        return f"the closing stands alone on {where}:\n{pages[-1]}"
    return None
