"""Attachments are judged by their content, never by name (sandbox.domain.filetypes)."""

from __future__ import annotations

import pytest

from sandbox.domain import filetypes
from sandbox.domain.filetypes import safe_filename, sniff
from tests.support import files


@pytest.mark.parametrize(
    "data, expected",
    [
        (files.PDF, "application/pdf"),
        (files.PNG, "image/png"),
        (files.JPEG, "image/jpeg"),
        (files.GIF, "image/gif"),
        (files.WEBP, "image/webp"),
        (files.ooxml("docx"), filetypes.DOCX.content_type),
        (files.ooxml("xlsx"), filetypes.XLSX.content_type),
        (files.ooxml("pptx"), filetypes.PPTX.content_type),
        (files.hwpx(), "application/hwp+zip"),
        (files.hwp(), "application/x-hwp"),
        (files.ole2("WordDocument", "1Table"), "application/msword"),
        (files.ole2("Workbook"), "application/vnd.ms-excel"),
        (files.ole2("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ],
    ids=["pdf", "png", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "hwpx", "hwp", "doc",
         "xls", "ppt"],
)
def test_accepted_types_are_recognised_by_content(data, expected):
    found = sniff(data)
    assert found is not None and found.content_type == expected


@pytest.mark.parametrize(
    "data",
    [
        files.EXE,                                   # a Windows executable
        b"",
        b"just some text, named report.pdf",
        b"<html><script>alert(1)</script></html>",
        files.ooxml("docm"),                         # Office with macros
        files.zipped({"readme.txt": "hello"}),       # any other ZIP
        files.zipped({"mimetype": "application/epub+zip"}),
        files.ole2("SummaryInformation", "!MsiTables"),  # an MSI installer is OLE2 too
        files.ole2("FileHeader"),                    # HWP's stream without its signature
        b"PK\x03\x04 truncated",
        files.PDF[1:],                               # the magic must be at the start
    ],
    ids=["exe", "empty", "text", "html", "docm", "zip", "epub", "msi", "fake-hwp",
         "broken-zip", "shifted-pdf"],
)
def test_other_content_is_refused(data):
    assert sniff(data) is None


def test_a_zip_bomb_part_is_not_inflated():
    bomb = files.zipped({"[Content_Types].xml": b" " * (filetypes.MAX_PART + 1)})
    assert sniff(bomb) is None


@pytest.mark.parametrize(
    "name, kind, expected",
    [
        ("사업계획서.pdf", filetypes.PDF, "사업계획서.pdf"),
        ("C:\\Users\\kim\\도면.PDF", filetypes.PDF, "도면.PDF"),
        ("../../etc/passwd", filetypes.PDF, "passwd.pdf"),
        ("photo.jpeg", filetypes.JPEG, "photo.jpeg"),
        ("invoice.pdf", filetypes.HWP, "invoice.pdf.hwp"),  # the name says what it really is
        ("", filetypes.PNG, "attachment.png"),
        (None, filetypes.PNG, "attachment.png"),
        ("a\x00b\nc.pdf", filetypes.PDF, "abc.pdf"),
        ("x" * 400 + ".pdf", filetypes.PDF, "x" * 251 + ".pdf"),
    ],
)
def test_safe_filename(name, kind, expected):
    assert safe_filename(name, kind) == expected
