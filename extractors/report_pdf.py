"""Text-layer PDFs: ruled tables per page (pdfplumber), and the text lines outside them.

A PDF without any text but with images is a scan: it is refused with the reason OCR will
later remove (an OCR reader registers itself in `extractors.reports` ahead of this one).
Each page is closed after use so memory stays flat on long files.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import UnreadableReport
from core.model import Document, Paragraph, Table
from core.text import clean_cell
from extractors.pdf_open import open_pdf
from extractors.report_settings import ReaderSettings
from extractors.report_zip import has_known_magic

SUFFIXES = (".pdf",)
PDF_MAGIC = b"%PDF"
SCANNED_REASON = "scanned PDF — no text layer"


def can_read(path: Path, head: bytes) -> bool:
    if PDF_MAGIC in head[:1024]:
        return True
    return path.suffix.lower() in SUFFIXES and not has_known_magic(head)


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    with open_pdf(path, UnreadableReport) as pdf:
        return _read_pages(path, pdf, settings)


def _read_pages(path: Path, pdf, settings: ReaderSettings) -> Document:
    if len(pdf.pages) > settings.max_pdf_pages:
        raise UnreadableReport(
            path, f"too many pages ({len(pdf.pages)}, limit {settings.max_pdf_pages})"
        )
    paragraphs: list[Paragraph] = []
    tables: list[Table] = []
    chars = images = 0
    for number, page in enumerate(pdf.pages, start=1):
        chars += len(page.chars)
        images += len(page.images)
        if page.chars:
            page_tables, bboxes = _tables_of(page, number)
            tables.extend(page_tables)
            paragraphs.extend(_lines_outside(page, bboxes, number))
        page.close()
    if not chars:
        raise UnreadableReport(path, SCANNED_REASON if images else "PDF has no text")
    return Document(
        source=path.name,
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        metadata=_properties_of(pdf),
    )


def _tables_of(page, number: int) -> tuple[list[Table], list[tuple]]:
    tables, bboxes = [], []
    for k, found in enumerate(page.find_tables(), start=1):
        rows, locations = [], []
        for r, row in enumerate(found.extract(), start=1):
            cells = tuple(clean_cell(c or "") for c in row)
            if any(cells):
                rows.append(cells)
                locations.append(f"page {number} row {r}")
        if rows:
            tables.append(Table(tuple(rows), f"page {number} table {k}", tuple(locations)))
        bboxes.append(found.bbox)
    return tables, bboxes


def _lines_outside(page, bboxes: list[tuple], number: int) -> list[Paragraph]:
    def outside(obj) -> bool:
        x, top = obj.get("x0", 0), obj.get("top", 0)
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in bboxes)

    text_page = page.filter(outside) if bboxes else page
    lines = (text_page.extract_text() or "").splitlines()
    return [
        Paragraph(clean_cell(line), f"page {number} line {n}")
        for n, line in enumerate(lines, start=1)
        if clean_cell(line)
    ]


def _properties_of(pdf) -> dict[str, str]:
    info = pdf.metadata or {}
    return {
        k.lower(): clean_cell(str(v)) for k, v in info.items() if k in ("Title", "Author") and v
    }
