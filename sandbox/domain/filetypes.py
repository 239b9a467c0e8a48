"""What a file is, judged by its content (magic bytes), never by its name or a client's word.

Attachments to a case are PDFs, images and office documents; Korean agencies and local
governments write in HWP (한글), so the legacy HWP 5 (an OLE2 compound file) and HWPX (a
ZIP) are accepted beside Microsoft Office's OLE2 and OOXML formats. Anything else,
including an executable renamed ``plan.pdf`` and an Office file with macros, is refused.
Pure: bytes in, a verdict out.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

__all__ = ["ACCEPTED", "FileType", "sniff", "safe_filename"]


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


PDF = FileType("application/pdf", "pdf")
PNG = FileType("image/png", "png")
JPEG = FileType("image/jpeg", "jpg")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
HWPX = FileType("application/hwp+zip", "hwpx")
DOC = FileType("application/msword", "doc")
XLS = FileType("application/vnd.ms-excel", "xls")
PPT = FileType("application/vnd.ms-powerpoint", "ppt")
HWP = FileType("application/x-hwp", "hwp")
ACCEPTED = (PDF, PNG, JPEG, GIF, WEBP, HWP, HWPX, DOC, DOCX, XLS, XLSX, PPT, PPTX)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# The main part an OOXML package's [Content_Types].xml names (macro-free types only).
OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
# The stream that makes an OLE2 compound file a document of a kind we accept.
OLE2_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS),
                ("PowerPoint Document", PPT))
ALIASES = {"jpeg": "jpg", "jpe": "jpg"}
MAX_PART = 1 << 20  # never inflate more than this of a ZIP part (zip bombs)


def sniff(data: bytes) -> FileType | None:
    """The accepted type of ``data``, or None when it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(ZIP_MAGIC):
        return _zip_type(data)
    if data.startswith(OLE2_MAGIC):
        return _ole2_type(data)
    return None


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        return None
    with archive.open(info) as part:
        return part.read(MAX_PART)


def _zip_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # HWPX (KS X 6101, OWPML) names itself in a ``mimetype`` part, as ODF does.
            mimetype = _read_part(archive, "mimetype")
            if mimetype is not None and mimetype.strip() == b"application/hwp+zip":
                return HWPX
            types = _read_part(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return None
    if types is None or b"vbaProject" in types:  # macros: refused (.docm, .xlsm…)
        return None
    for main, kind in OOXML_MAIN.items():
        if b'ContentType="' + main + b'"' in types:
            return kind
    return None


def _ole2_names(data: bytes) -> set[str]:
    """The names of an OLE2 compound file's directory entries.

    Directory entries are 128-byte records inside 512- or 4096-byte sectors that follow the
    512-byte header, so they sit at 128-byte offsets of the file: a UTF-16LE name (up to
    32 characters), its length in bytes (with the terminating NUL) and the entry type
    (1 storage, 2 stream, 5 root).
    """
    names = set()
    for offset in range(512, len(data) - 127, 128):
        length = struct.unpack_from("<H", data, offset + 64)[0]
        kind = data[offset + 66]
        if kind not in (1, 2, 5) or not 2 <= length <= 64 or length % 2:
            continue
        try:
            name = data[offset:offset + length - 2].decode("utf-16-le")
        except UnicodeDecodeError:
            continue
        if name.isprintable():
            names.add(name)
    return names


def _ole2_type(data: bytes) -> FileType | None:
    names = _ole2_names(data)
    # HWP 5: a "FileHeader" stream whose signature is "HWP Document File" (hwp 5.0 spec 3.2).
    if "FileHeader" in names and b"HWP Document File" in data:
        return HWP
    for stream, kind in OLE2_STREAMS:
        if stream in names:
            return kind
    return None  # other compound files (an MSI installer, an Outlook message…)


def safe_filename(name: str | None, kind: FileType) -> str:
    """The client's file name without any path or control characters, never empty, and
    ending in the extension of what the file really is."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip(".") or "attachment"
    stem, dot, ext = base.rpartition(".")
    if not dot or ALIASES.get(ext.lower(), ext.lower()) != kind.extension:
        stem, ext = base, kind.extension
    return f"{stem[: 255 - len(ext) - 1]}.{ext}"
