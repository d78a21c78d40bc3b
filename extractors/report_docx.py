"""Word documents (.docx, .docm, .dotx, .dotm): paragraphs and tables in body order,
letter-head headers first.

python-docx parses after the container has been checked for zip bombs. Horizontally merged
cells come back once (the repeats are blanked) so columns stay aligned with the header.
Macro-enabled documents and templates are read like any document (only their XML is parsed;
macros never run) and say so in `metadata["macros"]`. A zip is claimed by its main part
(`word/document.xml`), so a stray `xl/` member does not make a letter a "workbook".
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.part import PartFactory
from docx.package import Package
from docx.parts.document import DocumentPart
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from core.errors import UnreadableReport
from core.model import Document, Paragraph, Table
from core.text import clean_cell
from extractors.office_sniff import ole_kind
from extractors.report_settings import ReaderSettings
from extractors.report_zip import OLE_MAGIC, ZIP_MAGIC, check_zip, has_known_magic, zip_names

SUFFIXES = (".docx", ".docm", ".dotx", ".dotm")
# Main-part content types python-docx can read; it registers only the plain document's.
MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "macro-enabled document",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "macro-enabled template",
}
WORD_TYPES = {
    CT.WML_DOCUMENT_MAIN: "",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "",
    **MACRO_TYPES,
}
for _content_type in WORD_TYPES:
    PartFactory.part_type_for.setdefault(_content_type, DocumentPart)


def can_read(path: Path, head: bytes) -> bool:
    if head.startswith(OLE_MAGIC):  # an encrypted docx; a .doc is report_legacy's
        return path.suffix.lower() in SUFFIXES and ole_kind(path).name == "encrypted-ooxml"
    if not head.startswith(ZIP_MAGIC):
        # damaged beyond recognition: read() says so
        return path.suffix.lower() in SUFFIXES and not has_known_magic(head)
    names = zip_names(path)
    if names is None:
        return path.suffix.lower() in SUFFIXES
    if "word/document.xml" in names:
        return True
    # a damaged document without its main part, unless it is a workbook's
    return any(n.startswith("word/") for n in names) and "xl/workbook.xml" not in names


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    with path.open("rb") as handle:
        encrypted = handle.read(8).startswith(OLE_MAGIC)
    if encrypted:
        raise UnreadableReport(
            path, "password-protected (encrypted) document — save it without a password"
        )
    check_zip(path, settings)
    try:
        return _read_document(path)
    except Exception as err:  # any parser failure on untrusted bytes means "corrupt"
        raise UnreadableReport(path, f"corrupt document ({type(err).__name__}: {err})") from err


def _open(path: Path) -> tuple[DocxDocument, str]:
    """python-docx's Document, accepting macro-enabled documents and templates too."""
    part = Package.open(str(path)).main_document_part
    if part.content_type not in WORD_TYPES:
        raise ValueError(f"not a Word document (main part is {part.content_type})")
    return part.document, WORD_TYPES[part.content_type]


def _read_document(path: Path) -> Document:
    document, macros = _open(path)
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
        metadata={**_properties_of(document), **({"macros": macros} if macros else {})},
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
