"""Scanned decrees: an image-only decree PDF read with OCR into a Plan, doubts flagged.

Each page is rasterized (pypdfium2) and read by `extractors.ocr.read_page`, the pages in
parallel across cores (`extractors.ocr_pages`); its ruled grid
becomes the same physical rows the text-PDF reader makes (cells with x-extents in PDF
points), so `extractors.decree_pdf`'s pure stages do the rest: header words → columns,
repeated headers and number rows dropped, spanning chapter/goal rows, rows broken by a page
break stitched back. `extractors.plan_assembly.assemble_plan` then builds the plan. OCR is
never silently trusted: every cell read below the confidence threshold becomes a QA
`Finding` (code `ocr_doubtful_cell`) naming the page, the column and the measure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pypdfium2 as pdfium

from core.errors import UnreadableDecree
from core.model import Finding, Plan, Provenance, Severity
from core.text import clean_cell
from extractors.decree_columns import column_of, map_header
from extractors.decree_pdf import (
    Cell,
    Grid,
    PageContent,
    PdfSettings,
    TableRow,
    TextLine,
    contents_to_decree,
    row_to_cells,
    row_to_grid,
)
from extractors.decree_rows import DecreeText
from extractors.ocr import OcrPage, OcrSettings, tesseract_available
from extractors.ocr_pages import read_pdf_pages
from extractors.plan_assembly import assemble_plan, split_measure_text

ENABLE_OCR = (
    "install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does this as root)"
)
MAX_OCR_PAGES = 200  # ~3 s a page; a decree annex is tens of pages
POINTS_PER_INCH = 72.0
DOUBTFUL_CODE = "ocr_doubtful_cell"
MAX_MISREAD_HEADER_CELLS = 2  # more garbled than this and a row is not taken for the header


@dataclass(frozen=True)
class DoubtfulCell:
    """A cell OCR read with low confidence, located well enough for a reviewer."""

    page: int
    column: str
    text: str
    confidence: float
    measure_id: str | None


def read_scanned_decree(
    path: Path, ocr: OcrSettings | None = None, pdf: PdfSettings | None = None
) -> Plan:
    """The plan of an image-only decree PDF, with an `ocr_doubtful_cell` finding per doubt
    (`extractors.decree.read_decree` does the same and adds the plan QA)."""
    decree = scanned_decree_rows(path, ocr, pdf)
    plan = assemble_plan(decree)
    return replace(plan, findings=plan.findings + tuple(decree.findings))


def scanned_decree_rows(
    path: Path, ocr: OcrSettings | None = None, pdf: PdfSettings | None = None
) -> DecreeText:
    """The decree's logical plan rows, its doubtful cells as the reader's findings."""
    decree, doubts = scanned_decree_to_text(path, ocr, pdf)
    decree.findings.extend(doubts_to_findings(doubts, path))
    return decree


def scanned_decree_to_text(
    path: Path, ocr: OcrSettings | None = None, pdf: PdfSettings | None = None
) -> tuple[DecreeText, list[DoubtfulCell]]:
    """OCR every page into logical plan rows, and the cells read with low confidence."""
    path = Path(path)
    ocr, pdf = OcrSettings.resolve(ocr), PdfSettings.resolve(pdf)
    if not tesseract_available(ocr.langs):
        raise UnreadableDecree(
            path, f"scanned decree needs OCR, which is not installed: {ENABLE_OCR}"
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UnreadableDecree(path, f"cannot read file ({err.strerror or err})") from err
    contents: list[PageContent] = []
    doubts: list[DoubtfulCell] = []
    grid: Grid | None = None
    header: TableRow | None = None
    last_measure: str | None = None
    n_pages = _page_count(path, ocr.dpi, pdf.max_page_pixels)  # every page's size checked
    pages = read_pdf_pages(path, n_pages, ocr.dpi, ocr)  # in parallel, in order
    for number, page in enumerate(pages, start=1):
        content = page_to_content(page, number, ocr.dpi)
        content, header = mend_repeated_header(content, header)
        contents.append(content)
        found, last_measure = doubtful_cells(page, content, grid, last_measure, ocr, pdf)
        doubts += found
        grid = next((g for r in content.rows if (g := row_to_grid(r))), grid)
    return contents_to_decree(contents, path, hashlib.sha256(data).hexdigest(), pdf), doubts


def page_to_content(page: OcrPage, number: int, dpi: int) -> PageContent:
    """An OCR'd page as the text-PDF reader's page content (pixels → PDF points)."""
    scale = POINTS_PER_INCH / dpi
    rows: list[TableRow] = []
    top = bottom = float("inf")
    if page.table is not None:
        top, bottom = page.table.bbox[1], page.table.bbox[3]
        for row in page.table.cells:
            cells = tuple(
                Cell(c.box[0] * scale, c.box[2] * scale, clean_cell(c.text), c.lines)
                for c in row
                if c.span != (0, 0) and c.box is not None
            )
            if cells:
                rows.append(TableRow(number, cells))
    lines = [
        TextLine(number, line.left * scale, line.top * scale, clean_cell(line.text))
        for line in page.lines
    ]
    above = tuple(ln for ln in lines if ln.top < top * scale)
    below = tuple(ln for ln in lines if ln.top >= bottom * scale)
    chars = sum(len(w.text) for w in page.words)
    return PageContent(number, tuple(rows), above, below, chars, 0)


def mend_repeated_header(
    content: PageContent, header: TableRow | None
) -> tuple[PageContent, TableRow | None]:
    """A header repeated on a later page but misread (a column word garbled, so the column
    would vanish from the grid, or a required one so the row is no header at all) is replaced
    by the best header read so far when it has the same cells; returns the page and the best
    header for the pages after it."""
    rows = list(content.rows)
    best = map_header([c.text for c in header.cells]) if header else None
    for i, row in enumerate(rows):
        texts = [c.text for c in row.cells]
        mapping = map_header(texts)
        if header and best and _misread_repeat(texts, mapping, header, best):
            rows[i] = TableRow(
                row.page,
                tuple(
                    Cell(c.x0, c.x1, h.text) for c, h in zip(row.cells, header.cells, strict=True)
                ),
            )
        elif mapping is not None and len(mapping) >= len(best or {}):
            header, best = row, mapping
    return replace(content, rows=tuple(rows)), header


def _misread_repeat(
    texts: list[str], mapping: dict[int, str] | None, header: TableRow, best: dict[int, str]
) -> bool:
    """The row is the best header with a few words misread: as many cells, fewer columns
    named, every column it does name in the best header's place, at most
    MAX_MISREAD_HEADER_CELLS missing. Columns by meaning need the required ones, so a
    garbled deadline word leaves no header at all (mapping None): still a repeat."""
    if len(texts) != len(header.cells) or (mapping is not None and len(mapping) >= len(best)):
        return False
    named = {i: c for i, t in enumerate(texts) if (c := column_of(t))}
    return (
        all(best.get(i) == c for i, c in named.items())
        and len(best) - len(named) <= MAX_MISREAD_HEADER_CELLS
    )


def doubtful_cells(
    page: OcrPage,
    content: PageContent,
    grid: Grid | None,
    last_measure: str | None,
    ocr: OcrSettings,
    pdf: PdfSettings,
) -> tuple[list[DoubtfulCell], str | None]:
    """Cells of the page's table read below `ocr.min_confidence`, each with its column (by
    the header grid) and the measure of its row (a row without a measure number of its own
    belongs to the measure above, across the page break too). Returns them and the last
    measure id seen, to carry to the next page."""
    if page.table is None:
        return [], last_measure
    scale = POINTS_PER_INCH / ocr.dpi
    found = []
    for row, table_row in zip(_rows_with_cells(page), content.rows, strict=True):
        grid = row_to_grid(table_row) or grid
        if grid is None or row_to_grid(table_row) is not None:
            continue
        cells, spanning = row_to_cells(table_row, grid, pdf)
        measure_id, _ = split_measure_text(cells["text"])
        last_measure = measure_id or (None if spanning else last_measure)
        for cell in row:
            if not cell.text or cell.confidence >= ocr.min_confidence:
                continue
            one = TableRow(table_row.page, (Cell(cell.box[0] * scale, cell.box[2] * scale, "x"),))
            column = next((c for c, v in row_to_cells(one, grid, pdf)[0].items() if v), "?")
            found.append(
                DoubtfulCell(content.page, column, cell.text, cell.confidence, last_measure)
            )
    return found, last_measure


def _rows_with_cells(page: OcrPage) -> Iterator[list]:
    """The table's rows as page_to_content keeps them (cells with a box, not covered)."""
    for row in page.table.cells if page.table else ():
        cells = [c for c in row if c.span != (0, 0) and c.box is not None]
        if cells:
            yield cells


def doubts_to_findings(doubts: list[DoubtfulCell], path: Path) -> list[Finding]:
    return [
        Finding(
            code=DOUBTFUL_CODE,
            message=(
                f"OCR read the {d.column} cell with low confidence ({d.confidence:.0%}): "
                f"{d.text[:80]!r}; check it against the scan"
            ),
            location=str(Provenance(Path(path).name, pages=(d.page,))),
            severity=Severity.WARNING,
            measure_id=d.measure_id,
        )
        for d in doubts
    ]


def _page_count(path: Path, dpi: int, max_pixels: int) -> int:
    """The number of pages, each checked before any is rendered: too many pages, or a page
    whose size in points at `dpi` would render to more than `max_pixels` pixels."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as err:
        raise UnreadableDecree(path, f"corrupt or encrypted scanned PDF ({err})") from err
    try:
        if len(pdf) > MAX_OCR_PAGES:
            raise UnreadableDecree(
                path, f"too many pages to OCR ({len(pdf)}, limit {MAX_OCR_PAGES})"
            )
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                _check_page_size(path, page.get_size(), index + 1, dpi, max_pixels)
            finally:
                page.close()
        return len(pdf)
    finally:
        pdf.close()


def _check_page_size(
    path: Path, size: tuple[float, float], number: int, dpi: int, max_pixels: int
) -> None:
    """The report readers' rule (`extractors.report_image`): a page's size in points says
    how many pixels rendering it at `dpi` would take."""
    width, height = size
    pixels = round(width * dpi / POINTS_PER_INCH) * round(height * dpi / POINTS_PER_INCH)
    if pixels > max_pixels:
        raise UnreadableDecree(
            path,
            f"page {number} too large to render ({width / POINTS_PER_INCH:.0f} x "
            f"{height / POINTS_PER_INCH:.0f} inches at {dpi} dpi), pixels: {pixels:,} "
            f"(limit {max_pixels:,}, setting max_page_pixels)",
        )
