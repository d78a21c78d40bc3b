"""Word documents (.docx): paragraphs and tables in body order, letter-head headers first.

python-docx parses after the container has been checked for zip bombs. Horizontally merged
cells come back once (the repeats are blanked) so columns stay aligned with the header.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from core.errors import UnreadableReport
from core.model import Document, Paragraph, Table
from core.text import clean_cell
from extractors.report_settings import ReaderSettings
from extractors.report_zip import OLE_MAGIC, ZIP_MAGIC, check_zip, has_known_magic, zip_names

SUFFIXES = (".docx",)


def can_read(path: Path, head: bytes) -> bool:
    if head.startswith(OLE_MAGIC):
        return path.suffix.lower() in SUFFIXES
    if not head.startswith(ZIP_MAGIC):
        # damaged beyond recognition: read() says so
        return path.suffix.lower() in SUFFIXES and not has_known_magic(head)
    names = zip_names(path)
    if names is None:
        return path.suffix.lower() in SUFFIXES
    return any(n.startswith("word/") for n in names)


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    if path.read_bytes()[:8].startswith(OLE_MAGIC):
        raise UnreadableReport(
            path, "password-protected (encrypted) document — save it without a password"
        )
    check_zip(path, settings)
    try:
        return _read_document(path)
    except Exception as err:  # any parser failure on untrusted bytes means "corrupt"
        raise UnreadableReport(path, f"corrupt document ({type(err).__name__}: {err})") from err


def _read_document(path: Path) -> Document:
    document = docx.Document(str(path))
    paragraphs: list[Paragraph] = []
    for section in document.sections[:1]:  # the letter head lives in the first header
        for n, p in enumerate(section.header.paragraphs, start=1):
            if text := clean_cell(p.text):
                paragraphs.append(Paragraph(text, f"header para {n}"))
    tables: list[Table] = []
    n_para = 0
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            n_para += 1
            if text := clean_cell(block.text):
                paragraphs.append(Paragraph(text, f"para {n_para}"))
        elif isinstance(block, DocxTable):
            tables.append(_table_of(block, len(tables) + 1))
    return Document(
        source=path.name,
        paragraphs=tuple(paragraphs),
        tables=tuple(t for t in tables if t.rows),
        metadata=_properties_of(document),
    )


def _table_of(table: DocxTable, number: int) -> Table:
    rows: list[tuple[str, ...]] = []
    locations: list[str] = []
    for r, row in enumerate(table.rows, start=1):
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            cells.append("" if cell._tc is previous else clean_cell(cell.text))
            previous = cell._tc
        if any(cells):
            rows.append(tuple(cells))
            locations.append(f"table {number} row {r}")
    return Table(rows=tuple(rows), location=f"table {number}", row_locations=tuple(locations))


def _properties_of(document) -> dict[str, str]:
    props = document.core_properties
    found = {"title": props.title, "creator": props.author, "subject": props.subject}
    metadata = {k: clean_cell(v) for k, v in found.items() if v}
    if props.created:
        metadata["created"] = props.created.strftime("%d.%m.%Y")
    return metadata
