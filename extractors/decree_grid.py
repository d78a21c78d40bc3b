"""Tables with real cells (Word, HTML, markdown, box-drawing text) → the plan's logical rows.

Containers that know their cells need no stitching guesswork: each reader turns its tables into
`GridRow`s — the cells that *start* on a row, each with its first grid column and how many it
spans (a cell merged down over later rows appears only in its first row) — and this module
does the rest the same way for all of them:

- the header row is the first row whose cells name the plan's columns (`map_header`); a later
  table of the same document without a header of its own keeps the last one's columns;
- repeated header rows, the row of column numbers (`1 2 3 …`) and empty rows are no data;
- a row with a single filled cell that spans several columns, or sits in the first column, is
  a full-width row (chapter, goal, task heading): kept in the first column, `spanning`;
- a merged cell repeated in every row it covers (as some converters write a merged task cell)
  is read once;
- the first row of a continuation table continues the previous table's last row when it has
  no number of its own (a row the page or section break cut in two).

Then the text around the tables: `pick_title` and `abbreviation_lines` work on paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import UnreadableDecree
from core.model import PLAN_COLUMNS, Provenance
from core.text import clean_cell, join_fragments
from extractors.decree_columns import header_vocab, map_header
from extractors.decree_rows import DecreeText, RawRow

MIN_SPANNING_COLUMNS = 3  # a lone filled cell across this many grid columns is a full-width row
_MEASURE_NO = re.compile(r"^\s*\d{1,3}\s*\.\s*\d{1,3}")
_TASK_NO = re.compile(r"^\s*\d[\d\s.]*$")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)")


@dataclass(frozen=True)
class GridCell:
    """A cell as its container stores it: first grid column, columns spanned, cleaned text."""

    col: int
    span: int
    text: str
    where: Provenance


@dataclass(frozen=True)
class GridRow:
    cells: tuple[GridCell, ...]
    header: bool = False  # the container marks it a header row (Word's `tblHeader`, `<th>`)

    def filled(self) -> list[GridCell]:
        return [c for c in self.cells if c.text]


@dataclass(frozen=True)
class Paragraph:
    """Running text outside the tables; `strong` = printed bold or as a heading."""

    text: str
    where: Provenance
    strong: bool = False


Layout = dict[int, str]  # grid column -> canonical column, from the header row


def header_layout(row: GridRow) -> Layout | None:
    """The columns a header row names, keyed by every grid column its cells cover."""
    mapping = map_header([c.text for c in row.cells])
    if mapping is None:
        return None
    return {
        col: column
        for i, column in mapping.items()
        for col in range(row.cells[i].col, row.cells[i].col + row.cells[i].span)
    }


def is_number_row(row: GridRow) -> bool:
    """The row of column numbers (1 2 3 …) many decrees print under the header."""
    texts = [c.text.rstrip(".") for c in row.filled()]
    return len(texts) >= 5 and texts == [str(i) for i in range(1, len(texts) + 1)]


def is_full_width(row: GridRow, layout: Layout) -> bool:
    """One filled cell across several columns or in the first one (markdown has no spans);
    a cell repeated in every column (converters expanding a span) counts as one."""
    filled = row.filled()
    if not filled or len({c.text for c in filled}) != 1:
        return False
    if len(filled) > 1:
        return len(filled) >= MIN_SPANNING_COLUMNS
    cell = filled[0]
    return cell.span >= MIN_SPANNING_COLUMNS or cell.col == min(layout)


def row_cells(row: GridRow, layout: Layout) -> tuple[RawRow, list[GridCell]]:
    """A data row keyed by canonical column, and the cells under no header column."""
    raw = RawRow()
    lost = []
    for cell in row.filled():
        column = next(
            (layout[c] for c in range(cell.col, cell.col + cell.span) if c in layout), None
        )
        if column is None:
            lost.append(cell)
            continue
        raw.cells[column] = join_fragments(raw.cells.get(column, ""), cell.text)
        old = raw.provenance.get(column)
        raw.provenance[column] = old.merge(cell.where) if old else cell.where
    return raw, lost


def has_own_number(row: RawRow) -> bool:
    """A task number, or a measure number leading the measure text (or in an id column)."""
    if _TASK_NO.match(row.cells.get("task_no", "")):
        return True
    ids = [v for k, v in row.cells.items() if k not in PLAN_COLUMNS or k == "text"]
    return any(_MEASURE_NO.match(v) for v in ids if v)


def _extend(row: RawRow, more: RawRow) -> None:
    for column, text in more.cells.items():
        if text:
            row.cells[column] = join_fragments(row.cells.get(column, ""), text)
            old = row.provenance.get(column)
            new = more.provenance[column]
            row.provenance[column] = old.merge(new) if old else new


def _drop_repeated_task(row: RawRow, rows: list[RawRow]) -> None:
    """A merged task cell written out again in each row it covers (number, text or both):
    keep its first copy, the open task's."""
    no, text = row.cells.get("task_no", ""), row.cells.get("task_text", "")
    if not (no or text):
        return
    for previous in reversed(rows):
        if previous.spanning:
            return
        old_no, old_text = previous.cells.get("task_no", ""), previous.cells.get("task_text", "")
        if old_no or old_text:  # the open task's first row
            if (text or no == old_no) and text in ("", old_text) and no in ("", old_no):
                for column in ("task_no", "task_text"):
                    row.cells[column] = ""
                    row.provenance.pop(column, None)
            return


@dataclass
class GridPlan:
    rows: list[RawRow]
    unassigned: list[tuple[str, Provenance]]
    tables: list[int]  # indexes of the tables that belong to the plan


def table_width(table: Sequence[GridRow]) -> int:
    return max((c.col + c.span for row in table for c in row.cells), default=0)


def tables_to_rows(tables: Sequence[Sequence[GridRow]]) -> GridPlan:
    """All tables of a document → the plan's logical rows (see the module docstring). A
    table without a header continues the plan only if it is as wide as the plan's table
    (a two-column abbreviation list after it does not)."""
    done = GridPlan([], [], [])
    layout: Layout | None = None
    width = 0
    for t, table in enumerate(tables):
        first = True
        if layout is not None and table_width(table) != width:
            layout = None  # not the plan's table, unless it brings its own header
        for row in table:
            found = header_layout(row)
            if found is not None:
                layout, width = found, table_width(table)
                continue
            if layout is None or row.header or is_number_row(row) or not row.filled():
                continue
            if not done.tables or done.tables[-1] != t:
                done.tables.append(t)
            if is_full_width(row, layout):
                spanning = RawRow(spanning=True)
                cell = row.filled()[0]
                spanning.cells[PLAN_COLUMNS[0]] = cell.text
                spanning.provenance[PLAN_COLUMNS[0]] = cell.where
                done.rows.append(spanning)
                first = False
                continue
            raw, lost = row_cells(row, layout)
            done.unassigned += [(c.text, c.where) for c in lost]
            if not any(raw.cells.values()):
                continue
            _drop_repeated_task(raw, done.rows)
            cut = first and t > 0 and done.rows and not done.rows[-1].spanning
            if cut and not has_own_number(raw):
                _extend(done.rows[-1], raw)
            else:
                done.rows.append(raw)
            first = False
    return done


def grid_to_decree(
    tables: Sequence[Sequence[GridRow]],
    before: Sequence[Paragraph],
    after: Sequence[Paragraph],
    *,
    source: str,
    sha256: str,
    what: str,
) -> DecreeText:
    """The document's tables and the paragraphs before the first table and after the last
    → DecreeText. `what` names the container in errors ("a Word document", "HTML", …)."""
    plan = tables_to_rows(tables)
    if not plan.tables:
        found = "no table" if not tables else "no table row names the plan's columns"
        raise UnreadableDecree(source, f"{what} without a plan table ({found})")
    if not any(not r.spanning for r in plan.rows):
        raise UnreadableDecree(source, f"{what} whose plan table has no measure rows")
    return DecreeText(
        source=source,
        sha256=sha256,
        title=pick_title(before),
        rows=plan.rows,
        abbreviation_lines=abbreviation_lines(after),
        unassigned=plan.unassigned,
    )


Item = Paragraph | list[GridRow]  # a document in order: running text and tables


def items_to_decree(items: Sequence[Item], *, source: str, sha256: str, what: str) -> DecreeText:
    """A whole document (paragraphs and tables in order) → DecreeText: the plan's tables,
    the paragraphs before its first table and after its last (a table after it, such as
    the abbreviation list set as a two-column table, read as one line per row)."""
    at = [i for i, item in enumerate(items) if not isinstance(item, Paragraph)]
    tables = [items[i] for i in at]
    used = tables_to_rows(tables).tables
    first, last = (at[used[0]], at[used[-1]]) if used else (len(items), len(items))
    before = [p for p in items[:first] if isinstance(p, Paragraph)]
    after: list[Paragraph] = []
    for item in items[last + 1 :]:
        after += [item] if isinstance(item, Paragraph) else [row_as_line(r) for r in item]
    return grid_to_decree(tables, before, after, source=source, sha256=sha256, what=what)


def row_as_line(row: GridRow) -> Paragraph:
    """A table row outside the plan as one line: `abbr - full name` for two cells."""
    texts = [c.text for c in row.cells if c.text]
    where = row.cells[0].where if row.cells else Provenance("")
    dash = len(texts) == 2 and not texts[1].startswith(("-", "–", "—"))
    return Paragraph(" - ".join(texts) if dash else " ".join(texts), where)


# --------------------------------------------------------------------------- text around


def pick_title(paragraphs: Sequence[Paragraph]) -> str:
    """The plan's title above the table: the last bold paragraph naming a year, else the last
    bold one, else the last paragraph naming a year that is not a note in brackets."""
    strong = [p for p in paragraphs if p.strong and p.text]
    for candidates in (
        [p for p in strong if _YEAR.search(p.text)],
        strong,
        [p for p in paragraphs if _YEAR.search(p.text) and not p.text.startswith("(")],
        [p for p in paragraphs if p.text],
    ):
        if candidates:
            return clean_cell(candidates[-1].text)
    return ""


def abbreviation_lines(paragraphs: Iterable[Paragraph]) -> list[tuple[str, Provenance]]:
    """The lines after the abbreviation list's title (list bullets dropped)."""
    titles = [t.casefold() for t in header_vocab()["abbreviations_title"]]
    lines: list[tuple[str, Provenance]] | None = None
    for p in paragraphs:
        text = clean_cell(p.text)
        if lines is None:
            if any(text.casefold().lstrip("#* ").startswith(t) for t in titles):
                lines = []
            continue
        if text := clean_cell(_BULLET.sub("", text)):
            lines.append((text, p.where))
    return lines or []


def read_text_decree(path: Path, to_decree: Callable[[str, str, str], DecreeText]) -> DecreeText:
    """A UTF-8 text decree (markdown, HTML, box-drawing) read by `to_decree(text, source,
    sha256)`; every failure is an UnreadableDecree naming the file as the caller gave it."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableDecree(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    try:
        return to_decree(text, path.name, hashlib.sha256(data).hexdigest())
    except UnreadableDecree as err:
        raise UnreadableDecree(path, err.reason) from None
