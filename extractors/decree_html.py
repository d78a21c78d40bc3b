"""HTML `<table>`s (as converters and the legal database's web pages write a decree) → the
plan's logical rows.

Parsed with the standard library's `html.parser` (no document is trusted to be well-formed):
each `<td>`/`<th>` is placed on the table grid past the cells that `rowspan`s from rows above
still cover, and spans its `colspan` columns; a cell merged down appears only in its first
row, as in Word. `<br>` and paragraph breaks inside a cell are line breaks (joined by the
hyphen rule); a table inside a cell gives its text to that cell. Text outside the tables
becomes paragraphs (block tags and blank lines end one), bold or heading paragraphs are
`strong` for the title. `extractors.decree_grid` does the rest.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from core.model import Provenance
from core.text import collapse_ws
from extractors.decree_grid import (
    GridCell,
    GridRow,
    Item,
    Paragraph,
    items_to_decree,
    read_text_decree,
)
from extractors.decree_rows import DecreeText
from extractors.hyphens import join_wrapped

WHAT = "an HTML document"
MAX_SPAN = 100  # a rowspan/colspan beyond this is an error in the file, not a plan
_TABLE_TAG = re.compile(rb"<table\b", re.I)
_CELL_TAG = re.compile(rb"<t[dh]\b", re.I)
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr"}
_STRONG = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "head", "title"}


def looks_like_html_table(head: bytes) -> bool:
    return bool(_TABLE_TAG.search(head) and _CELL_TAG.search(head))


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


class _Table:
    """The table being read: its rows, and which grid slots rowspans still cover."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.rows: list[GridRow] = []
        self.row: list[GridCell] | None = None
        self.all_th = True
        self.covered: set[tuple[int, int]] = set()
        self.col = 0
        self.cell: tuple[int, int, int, int] | None = None  # col, colspan, rowspan, line
        self.lines: list[str] = [""]

    def start_row(self) -> None:
        self.end_row()
        self.row, self.col, self.all_th = [], 0, True

    def end_row(self) -> None:
        self.end_cell()
        if self.row is not None:
            self.rows.append(GridRow(tuple(self.row), header=self.all_th and bool(self.row)))
            self.row = None

    def start_cell(self, tag: str, attrs: dict[str, str | None], line: int) -> None:
        self.end_cell()
        if self.row is None:
            self.start_row()
        r = len(self.rows)
        while (r, self.col) in self.covered:
            self.col += 1
        colspan, rowspan = _span(attrs.get("colspan")), _span(attrs.get("rowspan"))
        for dr in range(rowspan):
            for dc in range(colspan):
                self.covered.add((r + dr, self.col + dc))
        self.cell, self.lines = (self.col, colspan, rowspan, line), [""]
        self.all_th &= tag == "th"
        self.col += colspan

    def end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        col, colspan, _, line = self.cell
        text = join_wrapped(collapse_ws(x) for x in self.lines)
        self.row.append(GridCell(col, colspan, text, Provenance(self.source, lines=(line,))))
        self.cell = None


class _DecreeParser(HTMLParser):
    """Collects the document's items in order: paragraphs and the top-level tables."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.items: list[Item] = []
        self.tables: list[_Table] = []  # open tables, innermost last
        self.text: list[tuple[str, bool]] = []  # the open paragraph's pieces, bold or not
        self.start_line = 0
        self.bold = 0
        self.skip = 0

    # -- paragraphs outside tables
    def flush(self) -> None:
        text = collapse_ws("".join(t for t, _ in self.text))
        if text:
            bold = "".join(t for t, b in self.text if b).strip()
            strong = collapse_ws(bold) == text
            self.items.append(
                Paragraph(text, Provenance(self.source, lines=(self.start_line,)), strong)
            )
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIP:
            self.skip += 1
        elif tag in _STRONG:
            self.bold += 1
        if tag == "table":
            if not self.tables:
                self.flush()
            self.tables.append(_Table(self.source))
        elif len(self.tables) == 1 and tag == "tr":
            self.tables[0].start_row()
        elif len(self.tables) == 1 and tag in ("td", "th"):
            self.tables[0].start_cell(tag, dict(attrs), line)
        elif self.tables and tag in _BLOCKS:
            self.tables[0].lines.append("")
        elif not self.tables and tag in _BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _STRONG:
            self.bold = max(0, self.bold - 1)
        if tag == "table" and self.tables:
            table = self.tables.pop()
            if not self.tables:
                table.end_row()
                self.items.append(table.rows)
            else:
                self.tables[0].lines.append("")
        elif len(self.tables) == 1 and tag in ("td", "th"):
            self.tables[0].end_cell()
        elif len(self.tables) == 1 and tag == "tr":
            self.tables[0].end_row()
        elif self.tables and tag in _BLOCKS:
            self.tables[0].lines.append("")
        elif not self.tables and tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.tables:
            table = self.tables[0]
            if table.cell is not None:
                table.lines[-1] += data
            return
        for k, part in enumerate(re.split(r"\n\s*\n", data)):  # blank line: a new paragraph
            if k:
                self.flush()
            if part.strip() and not self.text:
                self.start_line = self.getpos()[0]
            self.text.append((part, self.bold > 0))

    def close(self) -> None:
        super().close()
        while self.tables:
            self.handle_endtag("table")
        self.flush()


def html_items(text: str, source: str) -> list[Item]:
    """The document in order: paragraphs and its top-level tables as grid rows."""
    parser = _DecreeParser(source)
    parser.feed(text)
    parser.close()
    return parser.items


def html_to_decree(text: str, source: str, sha256: str = "") -> DecreeText:
    return items_to_decree(html_items(text, source), source=source, sha256=sha256, what=WHAT)


def read_decree_html(path: Path) -> DecreeText:
    """Read an HTML decree's plan table (see module docstring). Raises UnreadableDecree."""
    return read_text_decree(path, html_to_decree)
