"""Limits every report reader honours: untrusted files must not exhaust memory or time.

Each limit is checked before the expensive step it guards (rendering a page, parsing a
sheet's rows, reading entries out of a document); a file over a limit is refused with a
reason that names the limit (`over_limit`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import UnreadableReport
from core.settings import resolve_settings

MAX_BYTES = 25 * 1024 * 1024  # a half-year report is kilobytes; 25 MiB leaves room for scans
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # sum of an xlsx/docx's declared member sizes
MAX_ZIP_RATIO = 100.0  # uncompressed/compressed per member; real OOXML stays well below
RATIO_FLOOR_BYTES = 1024 * 1024  # small members may compress extremely well: only judge big ones
MAX_ZIP_MEMBERS = 10_000
MAX_PDF_PAGES = 300
# A page rendered for OCR (at the OCR dpi), and an image file: a 300 dpi A3 page is ~17 MP;
# a 200 x 200-inch PDF page would be 3.6 gigapixels from a 2 KB file.
MAX_PAGE_PIXELS = 80_000_000
# Rows of a workbook read (declared or streamed, all sheets) and rows + paragraphs of one
# document handed to the entry reader: a half-year report has hundreds; each may become a
# ledger entry (a million of them made every later report take 33 s and 1 GB).
MAX_ROWS = 10_000
MAX_ENTRIES = 10_000
CONVERT_TIMEOUT = 60.0  # seconds for LibreOffice to turn a .doc/.xls/.odt/... into OOXML


@dataclass(frozen=True)
class ReaderSettings:
    max_bytes: int = MAX_BYTES
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    max_zip_ratio: float = MAX_ZIP_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES
    max_zip_members: int = MAX_ZIP_MEMBERS
    max_pdf_pages: int = MAX_PDF_PAGES
    max_page_pixels: int = MAX_PAGE_PIXELS
    max_rows: int = MAX_ROWS
    max_entries: int = MAX_ENTRIES
    convert_timeout: float = CONVERT_TIMEOUT
    convert_cache: str | None = None  # e.g. WORKDIR/.convert-cache; None: no cache

    def __post_init__(self) -> None:
        if (
            min(
                self.max_bytes,
                self.max_unzipped_bytes,
                self.max_zip_members,
                self.max_pdf_pages,
                self.max_page_pixels,
                self.max_rows,
                self.max_entries,
            )
            <= 0
        ):
            raise ValueError("reader limits must be positive")
        if self.convert_timeout <= 0:
            raise ValueError("convert_timeout must be positive")
        if self.max_zip_ratio <= 1:
            raise ValueError("max_zip_ratio must be above 1")

    @classmethod
    def resolve(cls, settings: ReaderSettings | Mapping[str, Any] | None) -> ReaderSettings:
        return resolve_settings(cls, settings)


def over_limit(path: Any, what: str, found: int, limit: int, name: str) -> UnreadableReport:
    """The refusal for a file over a limit: what was found, the limit and its setting."""
    return UnreadableReport(path, f"{what}: {found:,} (limit {limit:,}, setting {name})")


def check_document_size(path: Any, document: Any, settings: ReaderSettings) -> None:
    """Refuse a document with more table rows + paragraphs than `max_entries` before the
    entry reader (language rules per row) runs over it."""
    items = sum(len(t.rows) for t in document.tables) + len(document.paragraphs)
    if items > settings.max_entries:
        raise over_limit(
            path, "too many rows and paragraphs", items, settings.max_entries, "max_entries"
        )
