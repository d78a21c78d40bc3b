"""Limits every report reader honours: untrusted files must not exhaust memory or time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.settings import resolve_settings

MAX_BYTES = 25 * 1024 * 1024  # a half-year report is kilobytes; 25 MiB leaves room for scans
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # sum of an xlsx/docx's declared member sizes
MAX_ZIP_RATIO = 100.0  # uncompressed/compressed per member; real OOXML stays well below
RATIO_FLOOR_BYTES = 1024 * 1024  # small members may compress extremely well: only judge big ones
MAX_ZIP_MEMBERS = 10_000
MAX_PDF_PAGES = 300
CONVERT_TIMEOUT = 60.0  # seconds for LibreOffice to turn a .doc/.xls/.odt/... into OOXML


@dataclass(frozen=True)
class ReaderSettings:
    max_bytes: int = MAX_BYTES
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    max_zip_ratio: float = MAX_ZIP_RATIO
    ratio_floor_bytes: int = RATIO_FLOOR_BYTES
    max_zip_members: int = MAX_ZIP_MEMBERS
    max_pdf_pages: int = MAX_PDF_PAGES
    convert_timeout: float = CONVERT_TIMEOUT
    convert_cache: str | None = None  # e.g. WORKDIR/.convert-cache; None: no cache

    def __post_init__(self) -> None:
        if (
            min(self.max_bytes, self.max_unzipped_bytes, self.max_zip_members, self.max_pdf_pages)
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
