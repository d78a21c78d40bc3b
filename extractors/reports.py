"""One entry point for agency reports: pick the reader by content, read into a Document.

Every format is one module with `SUFFIXES`, `can_read(path, head)` and `read(path, settings)`,
listed once in `READERS`. Content decides (magic bytes, zip members); the suffix is only a
hint for damaged files. Adding a format (e.g. OCR for scans) is one module and one line here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from core.errors import UnreadableReport, UnsupportedReport
from core.model import Document
from extractors.office_sniff import ole_kind
from extractors.report_settings import ReaderSettings, check_document_size
from extractors.report_zip import OLE_MAGIC, ZIP_MAGIC

__all__ = ["READER_MODULES", "ReaderSettings", "read_document", "reader_for", "readers"]

HEAD_BYTES = 2048

# Order matters: the first reader that claims a file reads it. Put an OCR reader first;
# the legacy reader before the OOXML ones (a .doc named .docx is still a .doc).
READER_MODULES = (
    "extractors.report_image",
    "extractors.report_pdf",
    "extractors.report_legacy",
    "extractors.report_xlsx",
    "extractors.report_docx",
    "extractors.report_csv",
    "extractors.report_text",
)


def readers() -> tuple[ModuleType, ...]:
    """The reader modules, imported on first use: they bring OpenCV, pdfplumber, openpyxl
    and pandas (through pytesseract), which importing this module must not cost."""
    return tuple(importlib.import_module(name) for name in READER_MODULES)


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    if name == "READERS":  # `from extractors.reports import READERS` keeps working
        return readers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_document(path: Path, settings: ReaderSettings | None = None) -> Document:
    """Read any supported report; raises UnsupportedReport or UnreadableReport with a reason."""
    path = Path(path)
    settings = ReaderSettings.resolve(settings)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as err:
        raise UnreadableReport(path, f"cannot open file ({err.strerror or err})") from err
    if size == 0:
        raise UnreadableReport(path, "empty file")
    if size > settings.max_bytes:
        raise UnreadableReport(
            path, f"file too large ({size:,} bytes, limit {settings.max_bytes:,})"
        )
    document = reader_for(path, head).read(path, settings)
    check_document_size(path, document, settings)  # before the entry reader walks it
    return document


def reader_for(path: Path, head: bytes):
    """The reader module that claims this file, or UnsupportedReport naming what it is."""
    for reader in readers():
        if reader.can_read(path, head):
            return reader
    raise UnsupportedReport(path, _what_it_is(path, head))


def _what_it_is(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower() or "no extension"
    if head.startswith(OLE_MAGIC):
        kind = ole_kind(path)
        if kind.encrypted:
            return f"{kind.label} ({suffix}) — save it without a password"
        return f"{kind.label} ({suffix}) — save it as .xlsx or .docx"
    if head.startswith(ZIP_MAGIC):
        return "a zip archive that is neither an .xlsx workbook nor a .docx document"
    known = sorted({s for reader in readers() for s in reader.SUFFIXES})
    return f"unsupported file type ({suffix}); readable: {', '.join(known)}"
