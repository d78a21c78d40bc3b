"""Tables from OCR: the ruled grid's cells (merged cells as connected regions), cells read
on strips of their crops, and borderless tables from word positions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np

from extractors.hyphens import join_lines
from extractors.ocr.geometry import Rulings
from extractors.ocr.settings import OcrSettings, settings_fields
from extractors.ocr.words import (
    Word,
    image_to_words,
    is_text,
    repair_number,
    words_confidence,
    words_to_line_texts,
    words_to_lines,
)

# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Cell:
    """One cell of a table rebuilt from OCR; `span` = (rows, columns) it covers, `box` its
    region on the page (left, top, right, bottom) when known."""

    text: str
    confidence: float = 1.0
    span: tuple[int, int] = (1, 1)
    box: tuple[int, int, int, int] | None = None
    # the visual lines `text` was joined from, when more than one: a reader of the whole
    # document joins them again with its evidence (`extractors.hyphens.Vocabulary`)
    lines: tuple[str, ...] = ()


def words_to_cell(
    words: Sequence[Word],
    span: tuple[int, int] = (1, 1),
    box: tuple[int, int, int, int] | None = None,
    *,
    number: bool = False,
) -> Cell:
    """A cell read from its words; `number`: mend digits Tesseract read as letters."""
    lines = words_to_line_texts(words)
    joined = join_lines(lines)
    text = repair_number(joined) if number else joined
    kept = lines if len(lines) > 1 and text == joined else ()
    return Cell(text, words_confidence(words), span, box, kept)


@dataclass(frozen=True)
class OcrTable:
    """A table rebuilt from word boxes: a full grid (merged cells hold their text in the
    top-left position, the positions they cover hold empty cells with span (0, 0))."""

    cells: tuple[tuple[Cell, ...], ...]
    bbox: tuple[int, int, int, int]

    @property
    def texts(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(c.text for c in row) for row in self.cells)

    def is_spanning(self, row: int) -> bool:
        """A row whose first cell spans the full width (chapter, goal, title rows)."""
        return bool(self.cells[row]) and self.cells[row][0].span[1] == len(self.cells[row])


def words_to_table(words: Sequence[Word], rulings: Rulings | None = None) -> OcrTable:
    """Rebuild a table from word boxes: from the ruling-line grid when the page has one
    (merged cells found as connected regions between lines), else from word positions."""
    if rulings is not None and rulings.is_table:
        return _ruled_table(words, rulings)
    return _positional_table(words)


@dataclass(frozen=True)
class _Region:
    label: int
    row: int
    col: int
    span: tuple[int, int]
    box: tuple[int, int, int, int]


def rulings_to_regions(rulings: Rulings) -> tuple[list[_Region], np.ndarray]:
    """The grid's cells as connected regions of non-line pixels between the lines (so a
    merged cell is one region), and the label image that maps a pixel to its region."""
    left, top, right, bottom = rulings.bbox
    ys, xs = rulings.horizontal, rulings.vertical
    inside = np.zeros_like(rulings.mask)
    inside[top:bottom, left:right] = 255
    free = cv2.bitwise_and(inside, cv2.bitwise_not(rulings.mask))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    best: dict[tuple[int, int], _Region] = {}
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if w < 3 or h < 3:
            continue
        r0, r1 = _band(ys, y), _band(ys, y + h - 1)
        c0, c1 = _band(xs, x), _band(xs, x + w - 1)
        if None in (r0, r1, c0, c1):
            continue
        region = _Region(label, r0, c0, (r1 - r0 + 1, c1 - c0 + 1), (x, y, x + w, y + h))
        old = best.get((r0, c0))
        if old is None or area > stats[old.label][4]:
            best[(r0, c0)] = region
    return list(best.values()), labels


def _ruled_table(words: Sequence[Word], rulings: Rulings) -> OcrTable:
    regions, labels = rulings_to_regions(rulings)
    by_label: dict[int, list[Word]] = {}
    for word in words:
        cx, cy = (int(v) for v in word.center)
        if 0 <= cy < labels.shape[0] and 0 <= cx < labels.shape[1] and labels[cy, cx]:
            by_label.setdefault(int(labels[cy, cx]), []).append(word)
    at = {(r.row, r.col): r for r in regions}
    n_rows, n_cols = len(rulings.horizontal) - 1, len(rulings.vertical) - 1
    covered: set[tuple[int, int]] = set()
    rows = []
    for r in range(n_rows):
        row = []
        for c in range(n_cols):
            region = at.get((r, c))
            if (r, c) in covered or region is None:
                row.append(Cell("", 1.0, (0, 0) if (r, c) in covered else (1, 1)))
                continue
            cell_words = by_label.get(region.label, [])
            span_r, span_c = region.span
            covered |= {(r + i, c + j) for i in range(span_r) for j in range(span_c)}
            row.append(words_to_cell(cell_words, region.span, region.box))
        rows.append(tuple(row))
    return OcrTable(tuple(rows), rulings.bbox)


def _band(edges: Sequence[int], position: int) -> int | None:
    """Index of the interval between consecutive edges that holds `position`."""
    for i in range(len(edges) - 1):
        if edges[i] <= position < edges[i + 1]:
            return i
    return None


# Cells are read on strips: each cell's crop, scaled to a comfortable text height and
# binarized, stacked with white space between, one Tesseract call per strip. Page-level OCR
# of a ruled table reads across columns, takes grid lines for letters and drops short
# isolated text (a lone measure number); cell crops avoid all three.
STRIP_MARGIN = 24
STRIP_MAX_HEIGHT = 12_000  # pixels per strip; a longer strip is split
TARGET_TEXT_HEIGHT = 40  # pixels: crops are scaled so their text lines are about this tall
MAX_CELL_SCALE = 3.0
SHORT_CELL = 8  # cells with at most this many characters (numbers, statuses) are re-read
MIN_CELL_INK = 25  # ink pixels (after removing specks) for a cell to count as non-empty


def read_cells(
    gray: np.ndarray,
    table: OcrTable,
    settings: OcrSettings | None = None,
    *,
    only_doubtful: bool = False,
) -> OcrTable:
    """OCR the table's cells on strips of their crops (see above). With `only_doubtful`,
    only cells left empty though inked, read below the confidence threshold or read as a
    short token are re-read, and the strip's read replaces a short or less sure one."""
    settings = OcrSettings.resolve(settings)
    todo: list[tuple[int, int, np.ndarray]] = []
    for r, row in enumerate(table.cells):
        for c, cell in enumerate(row):
            sure = cell.text and cell.confidence >= settings.min_confidence
            if cell.box is None or (only_doubtful and sure and len(cell.text) > SHORT_CELL):
                continue
            crop = _ink_crop(gray, cell.box)
            if crop is not None:
                todo.append((r, c, _enlarge(crop)))
    strip_settings = OcrSettings.resolve({**settings_fields(settings), "psm": 6})
    found: dict[int, list[Word]] = {}
    for first, last in _chunks([crop.shape[0] + STRIP_MARGIN for _, _, crop in todo]):
        strip, slots = _stack(crop for _, _, crop in todo[first:last])
        for w in image_to_words(strip, strip_settings):
            i = next((i for i, (y0, y1) in enumerate(slots) if y0 <= w.center[1] < y1), None)
            if i is not None and is_text(w):
                found.setdefault(first + i, []).append(w)
    cells = [list(row) for row in table.cells]
    for i, (r, c, _) in enumerate(todo):
        new, old = found.get(i, []), cells[r][c]
        cell = words_to_cell(new, old.span, old.box, number=True)
        better = not only_doubtful or not old.text or len(old.text) <= SHORT_CELL
        if cell.text and (better or cell.confidence > old.confidence):
            cells[r][c] = cell
    return OcrTable(tuple(tuple(row) for row in cells), table.bbox)


def _chunks(heights: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Index ranges of consecutive crops whose stacked height stays under the limit."""
    start, total = 0, 0
    for i, h in enumerate(heights):
        if total + h > STRIP_MAX_HEIGHT and i > start:
            yield start, i
            start, total = i, 0
        total += h
    if start < len(heights):
        yield start, len(heights)


def _enlarge(crop: np.ndarray) -> np.ndarray:
    """Scaled to the target text height, smoothed and binarized: scan noise on a small
    crop makes Tesseract read '1.1' as '11'; a clean black-and-white crop reads right."""
    scale = min(MAX_CELL_SCALE, max(1.0, TARGET_TEXT_HEIGHT / _text_height(crop)))
    big = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    big = cv2.GaussianBlur(big, (3, 3), 0)
    return cv2.threshold(big, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1]


def _text_height(crop: np.ndarray) -> float:
    """Median height of the ink bands (text lines) of a crop, in pixels."""
    rows = (crop < 128).sum(axis=1) > 0
    runs, n = [], 0
    for inked in rows:
        if inked:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    if n:
        runs.append(n)
    return float(median(runs)) if runs else float(TARGET_TEXT_HEIGHT)


def _ink_crop(gray: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """The inked part of a cell (a few pixels inside its box), or None for an empty cell."""
    left, top, right, bottom = box
    inner = gray[top + 3 : bottom - 3, left + 3 : right - 3]
    if inner.size == 0:
        return None
    ink = cv2.morphologyEx(
        (inner < 128).astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)
    )
    if int(ink.sum()) < MIN_CELL_INK:
        return None
    ys, xs = np.nonzero(ink)
    pad = 6
    return inner[
        max(0, ys.min() - pad) : ys.max() + pad + 1, max(0, xs.min() - pad) : xs.max() + pad + 1
    ]


def _stack(crops: Iterable[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    crops = list(crops)
    width = max(c.shape[1] for c in crops) + 2 * STRIP_MARGIN
    height = sum(c.shape[0] + STRIP_MARGIN for c in crops) + STRIP_MARGIN
    strip = np.full((height, width), 255, np.uint8)
    slots, y = [], STRIP_MARGIN
    for crop in crops:
        h, w = crop.shape
        strip[y : y + h, STRIP_MARGIN : STRIP_MARGIN + w] = crop
        slots.append((y - STRIP_MARGIN // 2, y + h + STRIP_MARGIN // 2))
        y += h + STRIP_MARGIN
    return strip, slots


def _positional_table(words: Sequence[Word]) -> OcrTable:
    """A borderless table: columns at vertical white gaps shared by all lines, a row per
    visual line, a line with an empty first column continuing the row above."""
    if not words:
        return OcrTable((), (0, 0, 0, 0))
    height = median(w.height for w in words)
    starts = _column_starts(words, min_gap=1.5 * height)
    lines = words_to_lines(words, gap_factor=1e9)
    raw_rows: list[list[list[Word]]] = []
    for line in lines:
        cells: list[list[Word]] = [[] for _ in starts]
        for w in line.words:
            col = max(i for i, s in enumerate(starts) if w.left >= s - 1)
            cells[col].append(w)
        if raw_rows and not cells[0] and raw_rows[-1][0]:
            for i, cell in enumerate(cells):
                raw_rows[-1][i].extend(cell)
        else:
            raw_rows.append(cells)
    rows = tuple(tuple(words_to_cell(c) for c in row) for row in raw_rows)
    bbox = (
        min(w.left for w in words),
        min(w.top for w in words),
        max(w.right for w in words),
        max(w.bottom for w in words),
    )
    return OcrTable(rows, bbox)


def _column_starts(words: Sequence[Word], min_gap: float) -> list[int]:
    """Left edges of columns: x positions after a gap no word box crosses."""
    spans = sorted((w.left, w.right) for w in words)
    starts = [spans[0][0]]
    reach = spans[0][1]
    for left, right in spans[1:]:
        if left - reach >= min_gap:
            starts.append(left)
        reach = max(reach, right)
    return starts
