"""Box-drawing text (`┌──┬──┐ │ ├──┼──┤ └──┴──┘`, as the legal database prints plan matrices)
→ the plan's logical rows.

Every cell's text is wrapped over several lines inside its column, and merged cells are drawn,
not stored, so the grid is recovered from the drawing, character position by position:

1. `find_tables`: a table is a run of lines that start with a box character.
2. Column boundaries: every position where some line of the table has a vertical stroke or
   a junction (`│ ┬ ┼ ┴ ├ ┤ …`).
3. Rule lines (with horizontal strokes) cut the table into *bands*, runs of text lines.
4. Units (band, column) merge into cells: across a boundary that no text line of the band
   draws (a chapter row spans the table), and down through a rule that does not cross the
   column (a task cell spans its measures; text on such a rule line belongs to the cell).
5. A cell's lines, top to bottom, join by the hyphen rules of `extractors.hyphens` (`үй-` +
   `бүлөлүк` → `үй-бүлөлүк`, a free-standing dash keeps its spaces; a word too long for its
   column, cut with no hyphen, rejoined on the document's own words); it sits in the row
   of its top band.

`extractors.decree_grid` then reads the grid like any container with real cells. Single,
heavy and double strokes all count, and ASCII grid tables (`+---+`, `|`) are redrawn with
box characters first (`ascii_to_box`); characters are taken as one column wide each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.model import Provenance
from extractors.decree_grid import (
    GridCell,
    GridRow,
    Item,
    Paragraph,
    items_to_decree,
    read_text_decree,
)
from extractors.decree_rows import DecreeText
from extractors.hyphens import Vocabulary, join_two, join_wrapped

WHAT = "a box-drawing text"
HORIZONTAL = frozenset("─━═╌╍┄┅┈┉╼╾")
VERTICAL = frozenset("│┃║╎╏┆┇┊┋╽╿")
BOX = frozenset(chr(c) for c in range(0x2500, 0x2580))
STROKES = BOX - HORIZONTAL  # verticals and junctions: where a column boundary is drawn
MIN_RULES = 2  # a table has at least a top and a bottom rule


def is_rule(line: str) -> bool:
    """A line drawing a horizontal rule (possibly open where a merged cell goes on)."""
    return any(c in HORIZONTAL for c in line)


def starts_with_box(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and stripped[0] in BOX


def looks_like_boxdraw(text: str) -> bool:
    lines = ascii_to_box(text.splitlines())
    rules = sum(1 for line in lines if starts_with_box(line) and is_rule(line))
    return rules >= MIN_RULES and any(starts_with_box(x) and not is_rule(x) for x in lines)


def find_tables(lines: list[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes of each box table: runs of lines starting with a box char."""
    tables = []
    i = 0
    while i < len(lines):
        if not (starts_with_box(lines[i]) and is_rule(lines[i])):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and starts_with_box(lines[end]):
            end += 1
        if sum(is_rule(x) for x in lines[i:end]) >= MIN_RULES:
            tables.append((i, end))
        i = end
    return tables


# --------------------------------------------------------------------------- ASCII grid tables

_ASCII_RULE = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
_ASCII_ROW = re.compile(r"^\s*[+|]")


def ascii_to_box(lines: list[str]) -> list[str]:
    """ASCII grid tables (`+---+---+` / `| a | b |`, as pandoc writes grid tables and some
    systems print plans) redrawn with box characters, so one parser reads both. Boundaries
    are the `+` positions of the table's full rules; a `|` there (with a space or the line
    end on both sides: a `|` inside text has none) becomes `│`, a `+` a junction, and a
    segment between two boundaries made only of `-`/`=` a horizontal stroke."""
    out = list(lines)
    i = 0
    while i < len(lines):
        if not _ASCII_RULE.match(lines[i]):
            i += 1
            continue
        end = i + 1
        while end < len(lines) and _ASCII_ROW.match(lines[end]):
            end += 1
        xs = sorted(
            {
                x
                for line in lines[i:end]
                if _ASCII_RULE.match(line)
                for x, c in enumerate(line)
                if c == "+"
            }
        )
        for k in range(i, end):
            out[k] = _redraw(lines[k], xs)
        i = end
    return out


def _redraw(line: str, xs: list[int]) -> str:
    chars = list(line)
    for x in xs:
        if x >= len(chars):
            break
        before = chars[x - 1] if x else " "
        after = chars[x + 1] if x + 1 < len(chars) else " "
        if chars[x] == "+" or (chars[x] == "|" and before in " -=" and after in " -="):
            chars[x] = "┼" if chars[x] == "+" else "│"
    for x0, x1 in zip(xs, xs[1:], strict=False):
        segment = line[x0 + 1 : x1]
        if segment and set(segment) <= set("-=:"):
            chars[x0 + 1 : x1] = "─" * len(segment)
    return "".join(chars)


@dataclass
class _Sets:
    """Union-find over the (band, column) units."""

    parent: dict[tuple[int, int], tuple[int, int]]

    def find(self, u: tuple[int, int]) -> tuple[int, int]:
        while self.parent[u] != u:
            self.parent[u] = self.parent[self.parent[u]]
            u = self.parent[u]
        return u

    def union(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        self.parent[self.find(b)] = self.find(a)


@dataclass(frozen=True)
class CellLines:
    """A drawn cell before its lines are joined: `full[i]`, line i's text reaches the cell's
    right edge (a word cut there with no hyphen may go on below)."""

    col: int
    span: int
    lines: tuple[str, ...]
    full: tuple[bool, ...]
    where: Provenance


def table_cells(lines: list[str], first: int, source: str) -> list[list[CellLines]]:
    """One box table's lines (line `first` of the file is lines[0]) → its rows of cells."""
    xs = sorted({x for line in lines for x, c in enumerate(line) if c in STROKES})
    n_cols = len(xs) - 1
    bands: list[list[int]] = []  # line indexes of each band
    rules_after: list[int | None] = []  # the rule line under each band
    for i, line in enumerate(lines):
        if is_rule(line):
            if bands and rules_after[-1] is None:
                rules_after[-1] = i
            continue
        if not bands or rules_after[-1] is not None:
            bands.append([])
            rules_after.append(None)
        bands[-1].append(i)
    if n_cols < 1 or not bands:
        return []
    units = _Sets({(b, c): (b, c) for b in range(len(bands)) for c in range(n_cols)})
    for b, band in enumerate(bands):
        for c in range(n_cols - 1):  # a boundary no line of the band draws: one cell
            if not any(_at(lines[i], xs[c + 1]) in STROKES for i in band):
                units.union((b, c), (b, c + 1))
        rule = rules_after[b]
        if rule is not None and b + 1 < len(bands):
            for c in range(n_cols):  # a rule that does not cross the column: one cell
                if not any(ch in HORIZONTAL for ch in lines[rule][xs[c] + 1 : xs[c + 1]]):
                    units.union((b, c), (b + 1, c))
    cells: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for unit in sorted(units.parent):
        cells.setdefault(units.find(unit), []).append(unit)
    rows: list[list[CellLines]] = [[] for _ in bands]
    for members in cells.values():
        top = min(b for b, _ in members)
        cols = sorted(c for b, c in members if b == top)
        texts, full, used = _cell_lines(lines, bands, rules_after, xs, members)
        where = Provenance(source, lines=tuple(first + i + 1 for i in used) or (first + 1,))
        rows[top].append(CellLines(cols[0], len(cols), texts, full, where))
    return [sorted(r, key=lambda c: c.col) for r in rows if r]


def table_to_grid(
    lines: list[str], first: int, source: str, vocabulary: Vocabulary | None = None
) -> list[GridRow]:
    """One box table's lines → grid rows, each cell's lines joined by the hyphen rules
    (with `vocabulary`, the document's words: no-hyphen breaks rejoined too)."""
    return [
        GridRow(tuple(_joined(c, vocabulary) for c in row))
        for row in table_cells(lines, first, source)
    ]


def _joined(cell: CellLines, vocabulary: Vocabulary | None) -> GridCell:
    """The cell's lines joined by the hyphen rules. A word is cut with no hyphen only when it
    alone does not fit its column, so only after a line that is one word filling the column
    may the document's words (`vocabulary`) rejoin a break (`Экотехинспекци` + `я`)."""
    text = ""
    for k, line in enumerate(cell.lines):
        if not text:
            text = line
            continue
        alone = cell.full[k - 1] and " " not in cell.lines[k - 1]
        # the joined word must occur in the document: a short piece's own frequency at line
        # starts is no evidence here (narrow columns start many lines with the same word);
        # how the document writes a hyphen pair inside lines counts after any line
        text = join_two(text, line, vocabulary, pieces=alone)
    return GridCell(cell.col, cell.span, text, cell.where)


def _at(line: str, x: int) -> str:
    return line[x] if x < len(line) else " "


def _cell_lines(
    lines: list[str],
    bands: list[list[int]],
    rules_after: list[int | None],
    xs: list[int],
    members: list[tuple[int, int]],
) -> tuple[tuple[str, ...], tuple[bool, ...], list[int]]:
    """A merged cell's lines top to bottom (open rule lines included), whether each reaches
    the cell's right edge, and the line indexes they came from."""
    by_band: dict[int, list[int]] = {}
    for b, c in members:
        by_band.setdefault(b, []).append(c)
    texts: list[str] = []
    full: list[bool] = []
    used: list[int] = []
    for b in sorted(by_band):
        x0, x1 = xs[min(by_band[b])], xs[max(by_band[b]) + 1]
        rule = rules_after[b]
        below = [rule] if rule is not None and b + 1 in by_band else []
        for i in bands[b] + below:
            raw = lines[i][x0 + 1 : x1]
            if part := raw.strip():
                texts.append(part)
                full.append(len(raw.rstrip()) >= x1 - x0 - 2)  # at most a pad space left
                used.append(i)
    return tuple(texts), tuple(full), used


def boxdraw_items(text: str, source: str) -> list[Item]:
    """The document in order: box tables as grid rows, blank-line separated paragraphs
    before the first table, one paragraph a line after it (list entries)."""
    lines = ascii_to_box(text.expandtabs().splitlines())
    items: list[Item] = []
    para: list[int] = []
    seen_table = False

    def flush() -> None:
        if para:
            joined = join_wrapped(lines[i] for i in para)
            items.append(Paragraph(joined, Provenance(source, lines=tuple(i + 1 for i in para))))
            para.clear()

    at = 0
    for first, end in find_tables(lines) + [(len(lines), len(lines))]:
        for i in range(at, first):
            if lines[i].strip():
                para.append(i)
                if seen_table:
                    flush()
            else:
                flush()
        flush()
        if first < end:
            items.append(table_cells(lines[first:end], first, source))  # type: ignore[arg-type]
            seen_table = True
        at = end
    # the document's words decide the no-hyphen breaks, so every cell is read first
    vocabulary = Vocabulary()
    for item in items:
        for cell in (c for row in item for c in row) if isinstance(item, list) else ():
            vocabulary.add(cell.lines, cell.full)
    return [
        [GridRow(tuple(_joined(c, vocabulary) for c in row)) for row in item]
        if isinstance(item, list)
        else item
        for item in items
    ]


def boxdraw_to_decree(text: str, source: str, sha256: str = "") -> DecreeText:
    return items_to_decree(boxdraw_items(text, source), source=source, sha256=sha256, what=WHAT)


def read_decree_boxdraw(path: Path) -> DecreeText:
    """Read a box-drawing decree's plan table (see module docstring). Raises UnreadableDecree."""
    return read_text_decree(path, boxdraw_to_decree)
