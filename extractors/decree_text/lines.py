"""Converter lines: split into cleaned fragments; the header, the table's end, the title."""

from __future__ import annotations

import re

from core.text import clean_cell
from extractors.decree_columns import header_vocab, map_header
from extractors.decree_text.model import (
    Fragment,
    Line,
)

_INLINE_TAG = re.compile(r"</?(?:a|b|i|u|span|strong|em|font|sup|sub)\b[^>]*>", re.I)
_BLOCK_SPLIT = re.compile(r"</p>\s*<p[^>]*>", re.I)
_SEPARATOR = re.compile(r"^[\s\-:|=]*$")
_MD_HEADING = re.compile(r"^\s*#+\s*")
_BOLD_BLOCK = re.compile(r"\*\*(.+?)\*\*", re.S)


def clean_fragment(raw: str) -> str:
    """Markup stripped; inline tags (<a>, <b>) vanish without adding a space ("кодексине</a>,")."""
    return clean_cell(_INLINE_TAG.sub("", raw))


def line_to_fragments(no: int, raw: str) -> Line | None:
    """One physical line → its non-empty fragments; None for blank and `---|---` lines."""
    cells = raw.rstrip("\r\n").split("\t")
    if all(_SEPARATOR.match(c) for c in cells):
        return None
    if len(cells) == 1:
        cells = [_MD_HEADING.sub("", cells[0])]
    fragments = []
    for i, cell in enumerate(cells):
        text = clean_fragment(cell) if cell.strip() else ""
        if not text:
            continue
        blocks: tuple[str, ...] = ()
        if _BLOCK_SPLIT.search(cell):
            blocks = tuple(b for p in _BLOCK_SPLIT.split(cell) if (b := clean_fragment(p)))
        fragments.append(Fragment(no, i, text, blocks if len(blocks) > 1 else ()))
    return Line(no, len(cells), tuple(fragments)) if fragments else None


def find_header(lines: list[str]) -> tuple[int, dict[int, str]] | None:
    """Index of the plan table's header line and its {cell index: column} map."""
    for i, raw in enumerate(lines):
        if "\t" not in raw:
            continue
        mapping = map_header([clean_fragment(c) for c in raw.split("\t")])
        if mapping:
            return i, mapping
    return None


def find_table_end(lines: list[str], start: int) -> int:
    """Index of the abbreviation-list title after the table (or len(lines))."""
    titles = [t.casefold() for t in header_vocab()["abbreviations_title"]]
    for i in range(start, len(lines)):
        if "\t" in lines[i] and lines[i].count("\t") > 2:  # a table row, not a title
            continue
        text = clean_fragment(lines[i]).casefold().rstrip(":").strip()
        if text and any(text.startswith(t) for t in titles):
            return i
    return len(lines)


def find_title(lines: list[str], header: int) -> str:
    """The plan's title: the last bold block above the header (the converter keeps it bold)."""
    above = "\n".join(lines[:header])
    blocks = [clean_cell(b) for b in _BOLD_BLOCK.findall(above)]
    titled = [b for b in blocks if re.search(r"\d{4}", b)]
    if titled:
        return titled[-1]
    return next((clean_fragment(x) for x in reversed(lines[:header]) if clean_fragment(x)), "")
