"""The layout of the official documents: every kind, rendered by WeasyPrint with typical
facts, never leaves its signature block on a page of its own, and the short notices fit
one A4 page.

An operator found the supplement request's 국토교통부장관 alone on page 2. The facts are
those of tests/support/document_facts.py; the PDF's text is read back with pypdf.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from sandbox.adapters.pdf import WeasyPrintRenderer
from sandbox.engine.documents import registry
from sandbox.services.documents import render_html
from tests.support.document_facts import SAMPLES, Sample
from tests.support.pdf import lonely_closing, pdf_fonts, pdf_pages, squash


def render(sample: Sample) -> bytes:
    return WeasyPrintRenderer().render(render_html(sample.context))


def test_the_samples_cover_every_kind_of_document():
    missing = set(registry()) - {s.kind for s in SAMPLES}
    assert not missing, f"add typical facts for {sorted(missing)} to tests/support/document_facts.py"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_the_signature_block_is_never_alone_on_a_page(sample):
    content = render(sample)
    assert any("CJK" in f for f in pdf_fonts(content)), pdf_fonts(content)
    problem = lonely_closing(content, sample.seal)
    assert problem is None, f"{sample.name}: {problem}"
    if sample.name.endswith("-long"):  # the long ones do run over, and still end well
        assert len(PdfReader(io.BytesIO(content)).pages) > 1


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s.one_page], ids=lambda s: s.name)
def test_a_typical_notice_fits_one_page(sample):
    pages = pdf_pages(render(sample))
    assert len(pages) == 1, f"{sample.name} runs to {len(pages)} pages; the last:\n{pages[-1]}"


def test_the_items_requested_keep_their_line_breaks():
    sample = next(s for s in SAMPLES if s.name == "supplement_request")
    lines = [squash(line) for line in pdf_pages(render(sample))[0].splitlines()]
    # Each numbered item after the first (which shares its line with the row's label in
    # the text pypdf reads) starts a line of its own, as it was typed.
    for number in range(2, 5):
        assert any(line.startswith(f"{number}.") for line in lines), lines


def test_the_approval_certificate_names_its_operator_once():
    sample = next(s for s in SAMPLES if s.name == "approval_certificate")
    text = squash("".join(pdf_pages(render(sample))))
    # Its own rows (name, address) state the operator; the case block's row would repeat it.
    assert "사업자Operator" not in text and text.count("사업자성명(명칭)Operator") == 1, text
    assert "Operator'saddress세종특별자치시한누리대로2130" in text


def test_a_long_exception_is_not_pushed_to_the_next_page():
    """A table kept on one page is for short ones: a granted exception with a dozen
    exceptions and conditions starts right under the case's facts and breaks between its
    items, instead of leaving the first page half empty."""
    sample = next(s for s in SAMPLES if s.name == "approval_certificate-long")
    pages = [squash(p) for p in pdf_pages(render(sample))]
    assert len(pages) > 1
    assert "규제특례" in pages[0] and "제4조" in pages[0], pages[0]
