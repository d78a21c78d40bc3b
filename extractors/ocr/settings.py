"""OCR settings: how pages are OCR'd, with the measured defaults as named constants."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from core.settings import resolve_settings

DEFAULT_LANGS = "kir+rus"  # Kyrgyz first: "rus+kir" at psm 4 reads ө ү ң as е у н
DEFAULT_PSM = 4  # one column of text of variable sizes: best on ruled table pages
DEFAULT_DPI = 300  # rasterizing image-only PDFs; Tesseract's sweet spot
MIN_SOURCE_DPI = 200  # images scanned coarser than this are upscaled to DEFAULT_DPI
DEFAULT_THREAD_LIMIT = 1  # OMP_THREAD_LIMIT for the tesseract subprocess
DEFAULT_MIN_CONFIDENCE = 0.60  # a cell/paragraph below this (0..1) is doubtful
DEFAULT_MAX_SKEW = 5.0  # degrees searched by deskew
DEFAULT_TIMEOUT = 120  # seconds per Tesseract call
RULING_MIN_FRACTION = 0.04  # a horizontal ruling segment spans this share of the width
# Vertical segments can be as short as one header row between spanning rows (~90 px at
# 300 dpi); letters are shorter than this share of the page height.
VERTICAL_MIN_FRACTION = 0.015
LETTERS_PER_SEGMENT = 3.0  # a ruling segment is at least this many letter heights long
MAX_LINE_BREAK = 9  # pixels: gaps in a ruling line that noise or faint print leave
TABLE_MIN_LINES = 3  # fewer horizontal or vertical lines: not a ruled table


@dataclass(frozen=True)
class OcrSettings:
    """How pages are OCR'd. Defaults are the module constants above."""

    langs: str = DEFAULT_LANGS
    psm: int = DEFAULT_PSM
    dpi: int = DEFAULT_DPI
    thread_limit: int = DEFAULT_THREAD_LIMIT
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_skew: float = DEFAULT_MAX_SKEW
    timeout: int = DEFAULT_TIMEOUT
    detect_orientation: bool = True

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi must be 72..600, not {self.dpi}")
        if not 0 <= self.psm <= 13:
            raise ValueError(f"psm must be 0..13, not {self.psm}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be 0..1, not {self.min_confidence}")
        if self.thread_limit < 1:
            raise ValueError(f"thread_limit must be >= 1, not {self.thread_limit}")
        if not re.fullmatch(r"[a-z_]+(\+[a-z_]+)*", self.langs):
            raise ValueError(f"langs must look like 'rus+kir', not {self.langs!r}")

    @classmethod
    def resolve(cls, value: OcrSettings | dict[str, Any] | None) -> OcrSettings:
        return resolve_settings(cls, value)

    @property
    def config(self) -> str:
        return f"--psm {self.psm}"


def settings_fields(settings: OcrSettings) -> dict[str, Any]:
    """The settings as a mapping, to derive a variant (`{**settings_fields(s), "psm": 6}`)."""
    return {f.name: getattr(settings, f.name) for f in fields(settings)}
