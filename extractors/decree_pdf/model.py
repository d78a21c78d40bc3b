"""The PDF reader's settings and the page content it builds: drawn cells, table rows,
text lines around the table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.model import PLAN_COLUMNS
from core.settings import resolve_settings
from extractors.report_settings import MAX_PAGE_PIXELS as REPORT_MAX_PAGE_PIXELS

SNAP_TOLERANCE = 3.0  # pt: ruling lines this close are one line (pdfplumber's default)
INTERSECTION_TOLERANCE = 3.0  # pt: how near lines must come to make a cell corner
COLUMN_TOLERANCE = 4.0  # pt: a cell edge this near a header column's edge lies on it
MIN_SPANNING_COLUMNS = 5  # a cell across this many header columns is a chapter/goal row
LINE_TOLERANCE = 3.0  # pt: words whose tops differ less than this share a text line
INDENT_TOLERANCE = 4.0  # pt: lines starting this near the list's left edge start an entry
MIN_RULE = 6.0  # pt: a vertical edge shorter than this is not a table rule
MAX_PAGES = 2000  # a decree annex longer than this is not a decree; refuse, don't grind
# A scanned page rendered for OCR: the report readers' limit (a 200 x 200-inch page would be
# 3.6 gigapixels at 300 dpi from a 2 KB file)
MAX_PAGE_PIXELS = REPORT_MAX_PAGE_PIXELS
SCANNED_REASON = "no text layer — scanned decree; OCR needed"


@dataclass(frozen=True)
class PdfSettings:
    """How to find and read the plan table; defaults are the named constants above."""

    snap_tolerance: float = SNAP_TOLERANCE
    intersection_tolerance: float = INTERSECTION_TOLERANCE
    column_tolerance: float = COLUMN_TOLERANCE
    min_spanning_columns: int = MIN_SPANNING_COLUMNS
    line_tolerance: float = LINE_TOLERANCE
    indent_tolerance: float = INDENT_TOLERANCE
    max_pages: int = MAX_PAGES
    max_page_pixels: int = MAX_PAGE_PIXELS

    def __post_init__(self) -> None:
        for name in (
            "snap_tolerance",
            "intersection_tolerance",
            "column_tolerance",
            "line_tolerance",
            "indent_tolerance",
        ):
            if not 0 <= getattr(self, name) <= 50:
                raise ValueError(f"{name} must be between 0 and 50 pt, not {getattr(self, name)}")
        if not 2 <= self.min_spanning_columns <= len(PLAN_COLUMNS):
            raise ValueError(f"min_spanning_columns must be 2..9, not {self.min_spanning_columns}")
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be positive, not {self.max_pages}")
        if self.max_page_pixels < 1:
            raise ValueError(f"max_page_pixels must be positive, not {self.max_page_pixels}")

    @classmethod
    def resolve(cls, settings: PdfSettings | Mapping[str, Any] | None) -> PdfSettings:
        return resolve_settings(cls, settings)

    def table_settings(self, explicit_horizontals: list[float] | None = None) -> dict[str, Any]:
        return {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
            "explicit_horizontal_lines": explicit_horizontals or [],
        }


# --------------------------------------------------------------------------- page content


@dataclass(frozen=True)
class Cell:
    """A drawn table cell whose top edge lies on this row. `text`: its printed `lines`
    joined, for good once `joining.rejoin_cells` has weighed the whole document's evidence."""

    x0: float
    x1: float
    text: str
    lines: tuple[str, ...] = ()
    full: tuple[bool, ...] = ()  # line i fills the cell: no room for the next line's letter
    # what the source had where line i ends: a space (True), nothing (False), unknown (None)
    ends: tuple[bool | None, ...] = ()


@dataclass(frozen=True)
class TableRow:
    page: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TextLine:
    """A line of running text outside the table; `bold` is its leading bold words."""

    page: int
    x0: float
    top: float
    text: str
    bold: str = ""


@dataclass(frozen=True)
class PageContent:
    page: int
    rows: tuple[TableRow, ...] = ()  # table rows on this page, top to bottom
    above: tuple[TextLine, ...] = ()  # text above the first table (all text if none)
    below: tuple[TextLine, ...] = ()  # text below the last table
    chars: int = 0
    images: int = 0


Grid = dict[str, tuple[float, float]]  # canonical column -> (x0, x1) of its header cell
