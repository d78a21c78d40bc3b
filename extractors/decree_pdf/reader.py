"""The whole file: pages read one at a time, then the pure `contents_to_decree`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from core.errors import UnreadableDecree
from core.model import Provenance
from extractors.decree_pdf.cells import page_to_content
from extractors.decree_pdf.joining import (
    breaks_inside_words,
    cut_joiner,
    document_vocabulary,
    rejoin_cells,
)
from extractors.decree_pdf.model import SCANNED_REASON, PageContent, PdfSettings
from extractors.decree_pdf.rows import rows_to_logical_rows
from extractors.decree_pdf.text_around import FOLIO, abbreviation_lines, title_lines
from extractors.decree_rows import DecreeText
from extractors.pdf_open import open_pdf


def contents_to_decree(
    pages: list[PageContent],
    path: Path,
    sha256: str,
    settings: PdfSettings,
    inside_words: bool = True,
) -> DecreeText:
    """Pure: page contents → DecreeText, or UnreadableDecree with the reason.
    `inside_words`: see `breaks_inside_words`."""
    if not any(p.chars for p in pages):
        reason = SCANNED_REASON if any(p.images for p in pages) else "PDF has no text"
        raise UnreadableDecree(path, reason)
    source = path.name
    vocab = document_vocabulary(pages)
    pages = rejoin_cells(pages, inside_words, vocab)
    join = cut_joiner(vocab if inside_words else None)
    table = rows_to_logical_rows((r for p in pages for r in p.rows), source, settings, join)
    if table.header_page is None:
        raise UnreadableDecree(
            path, "no plan table: no table row carries the plan's column headers"
        )
    if not table.rows:
        raise UnreadableDecree(path, "the plan table has a header but no rows")
    last_table_page = max(p.page for p in pages if p.rows)
    title_page = next(p for p in pages if p.page == table.header_page)
    after = [
        line
        for p in pages
        if p.page >= last_table_page
        for line in (p.below if p.page == last_table_page else p.above)
    ]
    return DecreeText(
        source=source,
        sha256=sha256,
        title=title_lines(title_page.above),
        rows=table.rows,
        abbreviation_lines=abbreviation_lines(after, source, settings),
        unassigned=table.unassigned
        + stray_lines(pages, table.header_page, last_table_page, source),
    )


def stray_lines(
    pages: list[PageContent], first: int, last: int, source: str
) -> list[tuple[str, Provenance]]:
    """Text under the table on a page the table continues past — not a page number — is
    table text pdfplumber did not find in any cell (a row left open at the page foot)."""
    return [
        (line.text, Provenance(source, pages=(line.page,)))
        for p in pages
        if first <= p.page < last and p.rows
        for line in p.below
        if not FOLIO.match(line.text)
    ]


def read_decree_pdf(path: Path, settings: PdfSettings | None = None) -> DecreeText:
    """Read the plan table of a decree PDF into logical rows (see module docstring)."""
    settings = PdfSettings.resolve(settings)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UnreadableDecree(path, f"cannot read file ({err.strerror or err})") from err
    with open_pdf(path, UnreadableDecree) as pdf:
        pages = _read_pages(path, pdf, settings)
        inside_words = breaks_inside_words(str((pdf.metadata or {}).get("Producer", "")))
    sha256 = hashlib.sha256(data).hexdigest()
    return contents_to_decree(pages, path, sha256, settings, inside_words)


def _read_pages(path: Path, pdf: Any, settings: PdfSettings) -> list[PageContent]:
    if len(pdf.pages) > settings.max_pages:
        raise UnreadableDecree(
            path, f"too many pages ({len(pdf.pages)}, limit {settings.max_pages})"
        )
    pages = []
    for page in pdf.pages:
        try:
            pages.append(page_to_content(page, settings))
        except Exception as err:  # a broken page stream: the file is corrupt
            raise UnreadableDecree(
                path, f"corrupt PDF: page {page.page_number} unreadable ({type(err).__name__})"
            ) from err
        finally:
            page.close()
    return pages
