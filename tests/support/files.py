"""Small files of every kind, built in memory, for the attachment tests."""

from __future__ import annotations

import io
import struct
import zipfile

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"This program cannot be run in DOS mode"
OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}


def zipped(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def ooxml(kind: str) -> bytes:
    main = {"docx": "/word/document.xml", "xlsx": "/xl/workbook.xml",
            "pptx": "/ppt/presentation.xml", "docm": "/word/document.xml"}[kind]
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="{main}" ContentType="{OOXML_TYPES[kind]}"/>')
    if kind == "docm":
        types += ('<Override PartName="/word/vbaProject.bin" '
                  'ContentType="application/vnd.ms-office.vbaProject"/>')
    return zipped({"[Content_Types].xml": types + "</Types>", main.lstrip("/"): "<x/>"})


def hwpx() -> bytes:
    return zipped({"mimetype": "application/hwp+zip", "Contents/header.xml": "<hh:head/>",
                   "Contents/section0.xml": "<hs:sec/>"})


def ole2(*streams: str, extra: bytes = b"") -> bytes:
    """A minimal compound file: the header, then one directory sector naming ``streams``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (512 - 8)
    entries = b""
    for n, name in enumerate(("Root Entry", *streams)):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry = raw.ljust(64, b"\x00") + struct.pack("<H", len(raw)) + bytes([5 if n == 0 else 2])
        entries += entry.ljust(128, b"\x00")
    return header + entries.ljust(512, b"\xff") + extra.ljust(512, b"\x00")


def hwp() -> bytes:
    return ole2("FileHeader", "DocInfo", "BodyText", extra=b"HWP Document File" + b"\x00" * 15)
