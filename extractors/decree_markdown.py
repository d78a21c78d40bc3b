"""Markdown pipe tables (as pandoc, marker or docling write a decree) → the plan's logical rows.

A table is a run of lines holding unescaped `|`, its second line the alignment row
(`|:---|---:|`). Cells split at unescaped pipes; `\\|` is a pipe inside a cell, `<br>` a line
break inside it (lines joined by the hyphen rule, `extractors.hyphens`). Markdown has no
merged cells: a chapter or goal row is one filled cell, a task cell that spans its measures is
written in its first row only (or repeated in each: read once) — `extractors.decree_grid`
does the rest, as for every container with real cells. The title is the last bold paragraph
or heading above the plan's table, the abbreviation list the lines after it.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.model import Provenance
from core.text import clean_cell
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

WHAT = "a markdown document"
_ALIGN_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_BR = re.compile(r"<br\s*/?>", re.I)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation
_STRONG = re.compile(r"^\s*(?:#{1,6}\s+\S|\*\*.*\*\*\s*$|__.*__\s*$)", re.S)
_PRIVATE = 0xE000  # escaped characters wait here while markup is stripped


def looks_like_markdown_table(text: str) -> bool:
    """A line with pipes followed by an alignment row: a pipe table's head."""
    lines = text.splitlines()
    return any(_ALIGN_ROW.match(line) and i and "|" in lines[i - 1] for i, line in enumerate(lines))


def split_row(line: str) -> list[str]:
    """A table line's raw cells: split at unescaped pipes, the outer pipes dropped."""
    cells = _PIPE.split(line.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip() and line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def cell_text(raw: str) -> str:
    """Escapes resolved, markup stripped, `<br>` lines joined by the hyphen rule."""
    held = _ESCAPED.sub(lambda m: chr(_PRIVATE + ord(m[1])), raw)
    lines = [clean_cell(part) for part in _BR.split(held)]
    text = join_wrapped(lines)
    return re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m[0]) - _PRIVATE), text)


def markdown_items(text: str, source: str) -> list[Item]:
    """The document in order: tables (as grid rows) and paragraphs (one per line after a
    table, where list entries sit one a line; blank-line separated before)."""
    lines = text.splitlines()
    items: list[Item] = []
    para: list[tuple[int, str]] = []
    seen_table = False

    def flush() -> None:
        if para:
            raw = " ".join(t for _, t in para)
            where = Provenance(source, lines=tuple(n for n, _ in para))
            items.append(Paragraph(cell_text(raw), where, bool(_STRONG.match(raw))))
            para.clear()

    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _PIPE.search(lines[i]) and _ALIGN_ROW.match(lines[i + 1]):
            flush()
            end = i + 2
            while end < len(lines) and _PIPE.search(lines[end]):
                end += 1
            items.append(table_rows(lines, i, end, source))
            seen_table, i = True, end
            continue
        if lines[i].strip():
            para.append((i + 1, lines[i]))
            if seen_table:
                flush()
        else:
            flush()
        i += 1
    flush()
    return items


def table_rows(lines: list[str], start: int, end: int, source: str) -> list[GridRow]:
    """Lines start..end of a pipe table (header, alignment row, body) → grid rows."""
    rows = []
    for n in [start, *range(start + 2, end)]:
        where = Provenance(source, lines=(n + 1,))
        cells = tuple(
            GridCell(col, 1, cell_text(raw), where) for col, raw in enumerate(split_row(lines[n]))
        )
        rows.append(GridRow(cells))
    return rows


def markdown_to_decree(text: str, source: str, sha256: str = "") -> DecreeText:
    return items_to_decree(markdown_items(text, source), source=source, sha256=sha256, what=WHAT)


def read_decree_markdown(path: Path) -> DecreeText:
    """Read a markdown decree's pipe table (see module docstring). Raises UnreadableDecree."""
    return read_text_decree(path, markdown_to_decree)
