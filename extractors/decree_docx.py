"""Word documents (.docx) → the plan's logical rows, from the table's real cells.

The main document part's WordprocessingML is read with lxml, the parser python-docx uses
(loading python-docx's package model for one part cost more than the whole read).

The most exact decree path: Word stores every cell, so nothing is stitched. Each `w:tc` is
placed on the table grid by its row's `gridBefore` and the `gridSpan`s before it; a cell that
continues a vertical merge (`vMerge` without `restart`) belongs to the cell above, so only
the merged cell's first row carries its text (the task cell over its measures). Rows marked
`tblHeader` are header rows, repeated or not. A plan split over several tables (Word does
this at section breaks) is read as one; `extractors.decree_grid` does that part for every
container with real cells. The title comes from the paragraphs before the plan's first
table, the abbreviation list from those after its last (or a two-column table there).

Provenance: `file:L<n>` where n counts table rows through the document (header rows too),
since a .docx has no lines or fixed pages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from core.errors import UnreadableDecree, UnreadableReport
from core.model import Provenance
from core.text import clean_cell
from extractors.decree_grid import GridCell, GridRow, Item, Paragraph, items_to_decree
from extractors.decree_rows import DecreeText

WHAT = "a Word document"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_VAL = _W + "val"


def qn(tag: str) -> str:
    """`w:tc` → Clark notation (python-docx's own `qn` would import all of python-docx)."""
    return _W + tag.removeprefix("w:")


def _val(el: Any, path: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(_W_VAL, "")


def paragraph_text(p: Any) -> str:
    """A `w:p`'s text: runs' text, tabs and line breaks as spaces, deleted text left out."""
    parts = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")):
        if el.tag == qn("w:t"):
            parts.append(el.text or "")
        elif el.tag == qn("w:noBreakHyphen"):
            parts.append("-")
        else:
            parts.append(" ")
    return "".join(parts)


def is_bold(p: Any) -> bool:
    """Every run with text is bold (run property or a heading/title style)."""
    style = _val(p, f"{qn('w:pPr')}/{qn('w:pStyle')}") or ""
    if style.casefold().startswith(("heading", "title")):
        return True
    runs = [
        r for r in p.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t"))).strip()
    ]
    return bool(runs) and all(
        _val(r, f"{qn('w:rPr')}/{qn('w:b')}") in ("", "1", "true") for r in runs
    )


def cell_text(tc: Any) -> str:
    """The cell's paragraphs joined with one space (nested tables' text included)."""
    return clean_cell(" ".join(paragraph_text(p) for p in tc.iter(qn("w:p"))))


def table_rows(tbl: Any, source: str, row_no: int) -> tuple[list[GridRow], int]:
    """A `w:tbl` → grid rows (origin cells only); `row_no` counts rows for provenance."""
    rows = []
    for tr in tbl.iterchildren(qn("w:tr")):
        row_no += 1
        where = Provenance(source, lines=(row_no,))
        col = int(_val(tr, f"{qn('w:trPr')}/{qn('w:gridBefore')}") or 0)
        header = tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        cells = []
        for tc in tr.iterchildren(qn("w:tc")):
            span = int(_val(tc, f"{qn('w:tcPr')}/{qn('w:gridSpan')}") or 1)
            merge = _val(tc, f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if merge is None or merge == "restart":  # not the continuation of a merge
                cells.append(GridCell(col, span, cell_text(tc), where))
            col += span
        rows.append(GridRow(tuple(cells), header=header))
    return rows, row_no


def body_blocks(body: Any) -> list[Any]:
    """The body's paragraphs and tables in order (content controls opened)."""
    blocks = []
    for el in body.iterchildren():
        if el.tag == qn("w:sdt"):
            content = el.find(qn("w:sdtContent"))
            blocks += body_blocks(content) if content is not None else []
        elif el.tag in (qn("w:p"), qn("w:tbl")):
            blocks.append(el)
    return blocks


def document_to_decree(body: Any, source: str, sha256: str) -> DecreeText:
    """A document body → DecreeText: tables to rows, paragraphs around to title and list."""
    items: list[Item] = []
    row_no = 0
    for el in body_blocks(body):
        if el.tag == qn("w:tbl"):
            rows, row_no = table_rows(el, source, row_no)
            items.append(rows)
        else:
            items.append(Paragraph(paragraph_text(el), Provenance(source), is_bold(el)))
    return items_to_decree(items, source=source, sha256=sha256, what=WHAT)


_OFFICE_DOCUMENT = "/officeDocument"  # the package relationship naming the main part
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def main_part_body(path: Path) -> Any:
    """The `w:body` of the package's main document part (found through `_rels/.rels`, as
    Word does; `word/document.xml` when the package has no such relationship). Parsed with
    lxml directly — no entities resolved, no network — which spares loading python-docx's
    whole package model for one XML part."""
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    with zipfile.ZipFile(path) as archive:
        target = "word/document.xml"
        if "_rels/.rels" in archive.namelist():
            rels = etree.fromstring(archive.read("_rels/.rels"), parser)
            for rel in rels.iter(_RELS):
                if rel.get("Type", "").endswith(_OFFICE_DOCUMENT):
                    target = rel.get("Target", target).lstrip("/")
        root = etree.fromstring(archive.read(target), parser)
    body = root.find(qn("w:body"))
    if body is None:
        raise ValueError("no w:body in the main document part")
    return body


def read_decree_docx(path: Path) -> DecreeText:
    """Read a .docx decree's plan table (see module docstring). Raises UnreadableDecree."""
    from extractors.report_settings import ReaderSettings  # the upload guards' zip limits
    from extractors.report_zip import check_zip

    path = Path(path)
    data = path.read_bytes()
    try:
        check_zip(path, ReaderSettings())
    except UnreadableReport as err:
        raise UnreadableDecree(path, err.reason) from None
    try:
        body = main_part_body(path)
    except Exception as err:  # any parser failure on untrusted bytes means "corrupt"
        raise UnreadableDecree(path, f"corrupt Word document ({type(err).__name__})") from err
    try:
        return document_to_decree(body, path.name, hashlib.sha256(data).hexdigest())
    except UnreadableDecree as err:  # name the file as the caller gave it
        raise UnreadableDecree(path, err.reason) from None


# --------------------------------------------------------------------------- other office files

ZIP_MAGIC = b"PK\x03\x04"
_LEAD = b"\xef\xbb\xbf \t\r\n"  # a BOM or blank lines before RTF's `{\\rtf`
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97 .doc (or an encrypted .docx, .xls)


def looks_like_office(head: bytes) -> bool:
    """A ZIP container (.docx, .odt), an OLE2 compound file (.doc) or RTF."""
    return head.startswith((ZIP_MAGIC, OLE_MAGIC)) or head.lstrip(_LEAD)[:5] == b"{\\rtf"


def office_kind(path: Path, head: bytes) -> str:
    """'docx', 'doc', 'rtf', 'odt' or 'ott'; UnreadableDecree naming what else the file is
    (legacy and open formats told by `extractors.office_sniff`, as for reports)."""
    from extractors.office_sniff import sniff  # olefile only for office files

    kind = sniff(path, head)
    if kind is not None and kind.name in KIND_NAMES and not kind.encrypted:
        return kind.name
    if kind is not None and kind.encrypted:
        raise UnreadableDecree(
            path, "password-protected (encrypted) document — save it without a password"
        )
    if kind is not None:
        spreadsheet = kind.target == "xlsx"
        raise UnreadableDecree(
            path, f"{'a spreadsheet, ' if spreadsheet else ''}{kind.label}, not a decree"
        )
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise UnreadableDecree(path, f"corrupt or truncated ZIP container ({err})") from None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise UnreadableDecree(path, "a spreadsheet, not a decree (no Word document inside)")
    raise UnreadableDecree(path, "a ZIP archive that is not a Word or OpenDocument text")


KIND_NAMES = {
    "doc": "a Word 97-2003 document",
    "rtf": "an RTF document",
    "odt": "an OpenDocument text",
    "ott": "an OpenDocument text template",
}


def read_decree_office(path: Path) -> DecreeText:
    """A .docx directly; a .doc/.rtf/.odt converted to .docx by LibreOffice first (the plan
    keeps the original's name and sha256)."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(4096)
    kind = office_kind(path, head)
    if kind == "docx":
        return read_decree_docx(path)
    from extractors.convert import ConversionError, converted  # LibreOffice on demand

    what = KIND_NAMES[kind]
    try:
        with converted(path, "docx") as docx_path:
            decree = read_decree_docx(docx_path)
    except ConversionError as err:
        raise UnreadableDecree(path, f"{what}: {err.reason}") from None
    except UnreadableDecree as err:
        reason = err.reason.replace(WHAT, what, 1)
        raise UnreadableDecree(path, reason) from None
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return replace_source(decree, path.name, sha256)


def replace_source(decree: DecreeText, source: str, sha256: str) -> DecreeText:
    """The converted file's rows, their provenance naming the original file."""
    from dataclasses import replace

    def moved(prov: Provenance) -> Provenance:
        return replace(prov, source=source)

    for row in decree.rows:
        row.provenance = {c: moved(p) for c, p in row.provenance.items()}
    return replace(
        decree,
        source=source,
        sha256=sha256,
        abbreviation_lines=[(t, moved(p)) for t, p in decree.abbreviation_lines],
        unassigned=[(t, moved(p)) for t, p in decree.unassigned],
    )
