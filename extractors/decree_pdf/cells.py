"""From pdfplumber's page to page content: characters dealt to the drawn cells, each
cell's lines kept with which fill it, the text lines above and below the table."""

from __future__ import annotations

import bisect
from typing import Any

from pdfplumber.utils import extract_words
from pdfplumber.utils.clustering import cluster_objects
from pdfplumber.utils.text import (
    DEFAULT_X_TOLERANCE,
    DEFAULT_Y_TOLERANCE,
    WordExtractor,
    get_line_cluster_key,
)

from core.text import clean_cell
from extractors.decree_pdf.joining import FULL_LINE_LETTERS
from extractors.decree_pdf.model import MIN_RULE, Cell, PageContent, PdfSettings, TableRow, TextLine
from extractors.decree_pdf.objects import page_objects

SPACE_SLACK = 0.3  # pt: rounding of glyph positions, either way
SPACE_EM = 0.36  # a space at least as wide as most fonts' (Verdana 0.35 em, DejaVu 0.32 em)


def page_to_content(page: Any, settings: PdfSettings) -> PageContent:
    """Everything the plan needs from one pdfplumber page: table rows and the text around."""
    number = page.page_number
    chars = page_objects(page).get("char", [])  # = page.chars, built faster
    if not chars:
        return PageContent(number, images=len(page.images))
    found = page.find_tables(settings.table_settings(rule_ends(page)))
    tables = sorted(found, key=lambda t: t.bbox[1])
    rows = tuple(row for table in tables for row in table_to_rows(table, number, chars))
    top = tables[0].bbox[1] if tables else float("inf")
    bottom = tables[-1].bbox[3] if tables else float("inf")
    # One comparison per character: this runs over every character of every page.
    above = chars_to_lines([c for c in chars if c["bottom"] <= top], number, settings)
    below = chars_to_lines([c for c in chars if c["top"] >= bottom], number, settings)
    return PageContent(number, rows, tuple(above), tuple(below), len(chars), len(page.images))


def rule_ends(page: Any) -> list[float]:
    """Where the vertical rules start and end. Some exporters draw no horizontal rule where a
    page break cuts a row; pdfplumber then sees no cell there and the text would be lost. A
    line at the verticals' ends closes those cells (it merges with a rule already drawn)."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["height"] >= MIN_RULE]
    if not verticals:
        return []
    return [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]


def table_to_rows(
    table: Any, page: int, chars: list[dict[str, Any]] | None = None
) -> list[TableRow]:
    """pdfplumber's rows with their cells' x-extents and text; None cells (covered by a cell
    merged from above or from the left) are left out.

    The characters are dealt to the cells in one pass (`chars_by_cell`) — what
    `Table.extract()` does by scanning every character of the page once per row — and each
    cell's text is built as `extract()` builds it, keeping its lines' geometry."""
    chars = table.page.chars if chars is None else chars
    boxes = [bbox for row in table.rows for bbox in row.cells if bbox is not None]
    dealt = chars_by_cell(chars, boxes)
    return [
        TableRow(page, tuple(_cell(bbox, dealt[bbox]) for bbox in row.cells if bbox is not None))
        for row in table.rows
    ]


def chars_by_cell(
    chars: list[dict[str, Any]], boxes: list[tuple[float, float, float, float]]
) -> dict[tuple[float, float, float, float], list[dict[str, Any]]]:
    """Each cell's characters (centre inside its box, as pdfplumber decides), page order."""
    dealt: dict[tuple[float, float, float, float], list[dict[str, Any]]] = {b: [] for b in boxes}
    if not boxes or not chars:
        return dealt
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    top = min(b[1] for b in boxes)
    bottom = max(b[3] for b in boxes)
    # cells by the horizontal band they cover; a char looks only at its band's cells
    bands = sorted({b[1] for b in boxes})
    by_band: dict[float, list[tuple[float, float, float, float]]] = {}
    for b in boxes:
        by_band.setdefault(b[1], []).append(b)
    for char in chars:
        h = (char["x0"] + char["x1"]) / 2
        v = (char["top"] + char["bottom"]) / 2
        if not (left <= h < right and top <= v < bottom):
            continue
        i = bisect.bisect_right(bands, v)
        for band in reversed(bands[:i]):  # merged cells reach down from earlier bands
            hit = next((b for b in by_band[band] if b[0] <= h < b[2] and v < b[3]), None)
            if hit is not None:
                dealt[hit].append(char)
                break
    return dealt


def _cell(bbox: tuple[float, float, float, float], chars: list[dict[str, Any]]) -> Cell:
    """A cell's text as `Table.extract()` gives it (its lines joined with spaces for now),
    which lines fill the cell (their right gap no wider than the left inset plus a letter)
    and what the source had where each line ends (`line_ends`)."""
    x0, x1 = bbox[0], bbox[2]
    if not chars:
        return Cell(x0, x1, "")
    extractor = WordExtractor()
    words = extractor.extract_words(chars)
    lines = cluster_objects(words, get_line_cluster_key(extractor.line_dir), DEFAULT_X_TOLERANCE)
    texts = tuple(" ".join(w["text"] for w in line) for line in lines)
    inset = min(line[0]["x0"] for line in lines) - x0
    ends = line_ends(lines, [c for c in chars if c["text"] == " "], x1 - inset)
    # the last line has no next letter to measure with: its own letters stand in (it matters
    # where a page break cuts the cell)
    full = tuple(
        x1 - line[-1]["x1"] < inset + FULL_LINE_LETTERS * _letter_width(after[0])
        for line, after in zip(lines, [*lines[1:], lines[-1][-1:]], strict=True)
    )
    if len(texts) < 2:
        return Cell(x0, x1, clean_cell("".join(texts)), full=full, ends=ends)
    # joined for good by `joining.rejoin_cells`, on the evidence of the whole document
    return Cell(x0, x1, " ".join(texts), texts, full, ends)


def line_ends(
    lines: list[list[dict[str, Any]]], spaces: list[dict[str, Any]], right: float
) -> tuple[bool | None, ...]:
    """What the source had at each line's end, as far as the page shows it. LibreOffice
    writes the space a line broke at when the space fits before the cell's right padding
    (`right`): a space glyph after the last word → True (a space); none where one would
    have fitted → False (a break after a hyphen or inside a word); no room → None (unknown).
    Whether a document's producer writes these spaces at all is `joining.marks_spaces`."""
    tops = [line[0]["top"] for line in lines]
    last = [-1.0] * len(lines)  # the rightmost space's x0 on each line
    for space in spaces:
        i = bisect.bisect_left(tops, space["top"] - DEFAULT_Y_TOLERANCE)
        if i < len(tops) and abs(tops[i] - space["top"]) <= DEFAULT_Y_TOLERANCE:
            last[i] = max(last[i], space["x0"])
    width = _space_width(spaces, lines[0][0])
    ends: list[bool | None] = []
    for x, line in zip(last, lines, strict=True):
        end = line[-1]["x1"]
        room = right - end >= width + SPACE_SLACK
        ends.append(True if x >= end - SPACE_SLACK else (False if room else None))
    return tuple(ends)


def _space_width(spaces: list[dict[str, Any]], word: dict[str, Any]) -> float:
    """The cell's widest space glyph, else a wide space of its font size (`SPACE_EM`)."""
    if spaces:
        return max(s["x1"] - s["x0"] for s in spaces)
    return SPACE_EM * (word["bottom"] - word["top"])


def _letter_width(word: dict[str, Any]) -> float:
    return (word["x1"] - word["x0"]) / max(len(word["text"]), 1)


def chars_to_lines(chars: list[dict[str, Any]], page: int, settings: PdfSettings) -> list[TextLine]:
    """Group characters into text lines, remembering each line's leading bold words."""
    words = sorted(
        extract_words(chars, extra_attrs=["fontname"]), key=lambda w: (w["top"], w["x0"])
    )
    groups: list[list[dict[str, Any]]] = []
    for word in words:
        if groups and abs(word["top"] - groups[-1][0]["top"]) <= settings.line_tolerance:
            groups[-1].append(word)
        else:
            groups.append([word])
    lines = []
    for group in groups:
        group.sort(key=lambda w: w["x0"])
        bold = []
        for word in group:
            if "bold" not in word["fontname"].casefold():
                break
            bold.append(word["text"])
        text = " ".join(w["text"] for w in group)
        lines.append(TextLine(page, group[0]["x0"], group[0]["top"], text, " ".join(bold)))
    return lines
