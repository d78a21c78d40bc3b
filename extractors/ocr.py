"""OCR building blocks: Tesseract word boxes, page orientation and skew, ruling lines, tables.

Everything here works on one page image and returns plain values; the readers
(`report_image`, `decree_ocr`) chain them. Measured on this project's scans: `rus+kir` is
needed (Russian data alone misreads ң, ө, ү), `--psm 4` reads ruled table pages better than
`--psm 6` (which reads grid lines as characters), and one OpenMP thread per Tesseract process
is several times faster on a busy two-core machine. A scanned table has no vector lines, so
the grid is found on the image with morphology and words are placed into its cells.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

import cv2
import numpy as np
import pytesseract
from PIL import Image

from core.once import once
from core.settings import resolve_settings

DEFAULT_LANGS = "kir+rus"  # Kyrgyz first: "rus+kir" at psm 4 reads ө ү ң as е у н
DEFAULT_PSM = 4  # one column of text of variable sizes: best on ruled table pages
DEFAULT_DPI = 300  # rasterizing image-only PDFs; Tesseract's sweet spot
MIN_SOURCE_DPI = 200  # images scanned coarser than this are upscaled to DEFAULT_DPI
DEFAULT_THREAD_LIMIT = 1  # OMP_THREAD_LIMIT for the tesseract subprocess
DEFAULT_MIN_CONFIDENCE = 0.60  # a cell/paragraph below this (0..1) is doubtful
DEFAULT_MAX_SKEW = 5.0  # degrees searched by deskew
DEFAULT_TIMEOUT = 120  # seconds per Tesseract call
RULING_MIN_FRACTION = 0.04  # a horizontal ruling segment spans this share of the width
# Vertical segments can be as short as one header row between spanning rows (~90 px at
# 300 dpi); letters are shorter than this share of the page height.
VERTICAL_MIN_FRACTION = 0.015
LETTERS_PER_SEGMENT = 3.0  # a ruling segment is at least this many letter heights long
MAX_LINE_BREAK = 9  # pixels: gaps in a ruling line that noise or faint print leave
TABLE_MIN_LINES = 3  # fewer horizontal or vertical lines: not a ruled table


@dataclass(frozen=True)
class OcrSettings:
    """How pages are OCR'd. Defaults are the module constants above."""

    langs: str = DEFAULT_LANGS
    psm: int = DEFAULT_PSM
    dpi: int = DEFAULT_DPI
    thread_limit: int = DEFAULT_THREAD_LIMIT
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    max_skew: float = DEFAULT_MAX_SKEW
    timeout: int = DEFAULT_TIMEOUT
    detect_orientation: bool = True

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 600:
            raise ValueError(f"dpi must be 72..600, not {self.dpi}")
        if not 0 <= self.psm <= 13:
            raise ValueError(f"psm must be 0..13, not {self.psm}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be 0..1, not {self.min_confidence}")
        if self.thread_limit < 1:
            raise ValueError(f"thread_limit must be >= 1, not {self.thread_limit}")
        if not re.fullmatch(r"[a-z_]+(\+[a-z_]+)*", self.langs):
            raise ValueError(f"langs must look like 'rus+kir', not {self.langs!r}")

    @classmethod
    def resolve(cls, value: OcrSettings | dict[str, Any] | None) -> OcrSettings:
        return resolve_settings(cls, value)

    @property
    def config(self) -> str:
        return f"--psm {self.psm}"


# --------------------------------------------------------------------------- availability


@once
def tesseract_available(langs: str = DEFAULT_LANGS) -> bool:
    """True when the tesseract binary runs and has every language of `langs`."""
    if not shutil.which(pytesseract.pytesseract.tesseract_cmd):
        return False
    try:
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError, RuntimeError):
        return False
    return set(langs.split("+")) <= installed


# --------------------------------------------------------------------------- words


@dataclass(frozen=True)
class Word:
    """One word Tesseract read, with its box in page pixels and confidence 0..1."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    block: int = 0
    par: int = 0
    line: int = 0

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.width / 2, self.top + self.height / 2)


def _run_env(settings: OcrSettings) -> None:
    # pytesseract hands os.environ to its subprocess; without the limit Tesseract's OpenMP
    # threads fight each other (and pytest-xdist workers) and a page takes ~6x longer.
    os.environ["OMP_THREAD_LIMIT"] = str(settings.thread_limit)


def tsv_to_words(data: dict[str, list[Any]]) -> list[Word]:
    """Words (level 5 rows with text) from pytesseract's `image_to_data` dict output."""
    words = []
    for i, text in enumerate(data["text"]):
        text = str(text).strip()
        if int(data["level"][i]) != 5 or not text:
            continue
        words.append(
            Word(
                text=text,
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                confidence=max(0.0, float(data["conf"][i])) / 100.0,
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
            )
        )
    return words


def image_to_words(
    image: Image.Image | np.ndarray, settings: OcrSettings | None = None
) -> list[Word]:
    """OCR one page image into word boxes."""
    settings = OcrSettings.resolve(settings)
    _run_env(settings)
    data = pytesseract.image_to_data(
        _to_pil(image),
        lang=settings.langs,
        config=settings.config,
        output_type=pytesseract.Output.DICT,
        timeout=settings.timeout,
    )
    return tsv_to_words(data)


def _to_pil(image: Image.Image | np.ndarray) -> Image.Image:
    return Image.fromarray(image) if isinstance(image, np.ndarray) else image


def to_gray(image: Image.Image | np.ndarray) -> np.ndarray:
    """An 8-bit grayscale array of a PIL image or an array."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"))
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return image


# --------------------------------------------------------------------------- orientation, skew


def rotate_quarter(gray: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate counter-clockwise by a multiple of 90 degrees."""
    return np.ascontiguousarray(np.rot90(gray, (degrees // 90) % 4))


def _shrink(gray: np.ndarray, longest: int) -> np.ndarray:
    scale = longest / max(gray.shape)
    if scale >= 1:
        return gray
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, by Otsu's threshold after a light blur against scan noise."""
    blurred = cv2.medianBlur(gray, 3)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def skew_angle(gray: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW) -> float:
    """The page's skew in degrees (positive = counter-clockwise), by the projection-profile
    method: text lines and ruling lines give the sharpest row profile when level."""
    ink = binarize(_shrink(gray, 1200))

    def sharpness(angle: float) -> float:
        profile = _rotate(ink, angle, border=0).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-max_skew, max_skew + 0.01, 0.5), key=sharpness)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    return -round(float(max(fine, key=sharpness)), 2)


def _rotate(gray: np.ndarray, angle: float, border: int = 255) -> np.ndarray:
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=border,
    )


def deskew(gray: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW) -> tuple[np.ndarray, float]:
    """The page turned level, and the skew angle that was removed."""
    angle = skew_angle(gray, max_skew)
    if abs(angle) < 0.05:
        return gray, 0.0
    return _rotate(gray, -angle), angle


def text_is_vertical(gray: np.ndarray, max_skew: float = DEFAULT_MAX_SKEW) -> bool:
    """True for a page fed sideways: with ruling lines removed, the text's column profile
    is sharper than its row profile (each searched over the skew range). Cheap (~0.2 s)
    where Tesseract's OSD takes seconds a page."""
    small = _shrink(gray, 800)
    ink = binarize(small)
    ink[find_ruling_lines(small).mask > 0] = 0
    return _profile_sharpness(np.ascontiguousarray(ink.T), max_skew) > _profile_sharpness(
        ink, max_skew
    )


def _profile_sharpness(ink: np.ndarray, max_skew: float) -> float:
    return max(
        float(np.square(np.diff(_rotate(ink, a, border=0).sum(axis=1, dtype=np.float64))).sum())
        for a in np.arange(-max_skew, max_skew + 0.01, 1.0)
    )


def upright(
    gray: np.ndarray, turn: int, max_skew: float = DEFAULT_MAX_SKEW
) -> tuple[np.ndarray, float]:
    """The page turned counter-clockwise by `turn` degrees (a multiple of 90) and levelled;
    returns it and the skew angle removed."""
    if turn % 360:
        gray = rotate_quarter(gray, turn)
    return deskew(gray, max_skew)


# --------------------------------------------------------------------------- lines of text


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def confidence(self) -> float:
        return words_confidence(self.words)


def words_confidence(words: Iterable[Word]) -> float:
    """Character-weighted mean confidence of words (1.0 for none): a long well-read word
    outweighs a stray mark, but a misread number still drags a short cell down."""
    pairs = [(w.confidence, len(w.text)) for w in words]
    total = sum(n for _, n in pairs)
    return sum(c * n for c, n in pairs) / total if total else 1.0


def words_to_lines(words: Sequence[Word], gap_factor: float = 3.0) -> list[Line]:
    """Visual lines: words grouped by Tesseract's (block, paragraph, line), split where a
    horizontal gap is wider than `gap_factor` line heights (table columns), top to bottom."""
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        groups.setdefault((w.block, w.par, w.line), []).append(w)
    lines = []
    for group in groups.values():
        group.sort(key=lambda w: w.left)
        height = median(w.height for w in group)
        current = [group[0]]
        for w in group[1:]:
            if w.left - current[-1].right > gap_factor * height:
                lines.append(Line(tuple(current)))
                current = []
            current.append(w)
        lines.append(Line(tuple(current)))
    return sorted(lines, key=lambda ln: (ln.top, ln.left))


# --------------------------------------------------------------------------- ruling lines


@dataclass(frozen=True)
class Rulings:
    """Ruling lines found on a page image: the line masks and their positions in pixels."""

    horizontal: tuple[int, ...]  # y of each horizontal line, top to bottom
    vertical: tuple[int, ...]  # x of each vertical line, left to right
    mask: np.ndarray  # 255 where a ruling line is (both directions)

    @property
    def is_table(self) -> bool:
        return len(self.horizontal) >= TABLE_MIN_LINES and len(self.vertical) >= TABLE_MIN_LINES

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the ruled area."""
        return (self.vertical[0], self.horizontal[0], self.vertical[-1], self.horizontal[-1])


def find_ruling_lines(gray: np.ndarray, min_fraction: float = RULING_MIN_FRACTION) -> Rulings:
    """Horizontal and vertical ruling lines by morphological opening with long thin kernels:
    letters are short, so only lines survive. Kernels scale with the page and with the
    letters' height (a vertical segment may be as short as one header row)."""
    ink = binarize(gray)
    h, w = ink.shape
    letter = letter_height(ink)
    kernels = (
        (max(15, int(w * min_fraction), int(LETTERS_PER_SEGMENT * letter)), 1),
        (1, max(15, int(h * VERTICAL_MIN_FRACTION), int(LETTERS_PER_SEGMENT * letter))),
    )
    masks = []
    for kernel in kernels:
        element = cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, element)
        # Re-join lines broken by noise or faint print — only small breaks: a longer close
        # would bridge a spanning row and cut a chapter title into cells.
        gap = (
            (min(kernel[0], MAX_LINE_BREAK), 1)
            if kernel[1] == 1
            else (1, min(kernel[1], MAX_LINE_BREAK))
        )
        mask = cv2.morphologyEx(
            mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, gap)
        )
        masks.append(cv2.dilate(mask, np.ones((5, 5), np.uint8)))
    horizontal = _line_positions(masks[0], axis=1, min_length=w * min_fraction * 2)
    vertical = _line_positions(masks[1], axis=0, min_length=h * min_fraction * 2)
    return Rulings(horizontal, vertical, cv2.bitwise_or(masks[0], masks[1]))


def letter_height(ink: np.ndarray) -> float:
    """Median height of letter-sized ink blobs (about the x-height), in pixels."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = [
        int(hgt)
        for _, _, wid, hgt, area in stats[1:]
        if 4 <= hgt <= 150 and wid <= 150 and area >= 8
    ]
    return float(median(heights)) if heights else 10.0


def _line_positions(mask: np.ndarray, axis: int, min_length: float) -> tuple[int, ...]:
    """Centre positions of line bands in a one-direction mask (long runs only), merged
    when closer than a few pixels."""
    coverage = (mask > 0).sum(axis=axis)
    hits = np.flatnonzero(coverage >= min_length)
    if hits.size == 0:
        return ()
    bands: list[list[int]] = [[int(hits[0])]]
    for p in hits[1:]:
        if p - bands[-1][-1] <= 4:
            bands[-1].append(int(p))
        else:
            bands.append([int(p)])
    return tuple(int(round(sum(b) / len(b))) for b in bands)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Cell:
    """One cell of a table rebuilt from OCR; `span` = (rows, columns) it covers, `box` its
    region on the page (left, top, right, bottom) when known."""

    text: str
    confidence: float = 1.0
    span: tuple[int, int] = (1, 1)
    box: tuple[int, int, int, int] | None = None


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


def words_to_text(words: Sequence[Word]) -> str:
    """Words of one cell in reading order, lines joined with a space (a line-end hyphen is
    kept as printed: the decree text keeps words exactly as printed)."""
    lines = words_to_lines(list(words), gap_factor=1e9)
    return " ".join(line.text for line in lines)


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
            text = words_to_text(cell_words)
            row.append(Cell(text, words_confidence(cell_words), region.span, region.box))
        rows.append(tuple(row))
    return OcrTable(tuple(rows), rulings.bbox)


def _band(edges: Sequence[int], position: int) -> int | None:
    """Index of the interval between consecutive edges that holds `position`."""
    for i in range(len(edges) - 1):
        if edges[i] <= position < edges[i + 1]:
            return i
    return None


def remove_rulings(gray: np.ndarray, rulings: Rulings) -> np.ndarray:
    """The page with its ruling lines painted white: Tesseract reads lines next to short
    cell text as noise and drops the text (a lone measure number, say)."""
    clean = gray.copy()
    clean[rulings.mask > 0] = 255
    return clean


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
    strip_settings = OcrSettings.resolve({**_fields(settings), "psm": 6})
    found: dict[int, list[Word]] = {}
    for first, last in _chunks([crop.shape[0] + STRIP_MARGIN for _, _, crop in todo]):
        strip, slots = _stack(crop for _, _, crop in todo[first:last])
        for w in image_to_words(strip, strip_settings):
            i = next((i for i, (y0, y1) in enumerate(slots) if y0 <= w.center[1] < y1), None)
            if i is not None and _is_text(w):
                found.setdefault(first + i, []).append(w)
    cells = [list(row) for row in table.cells]
    for i, (r, c, _) in enumerate(todo):
        new, old = found.get(i, []), cells[r][c]
        text, conf = repair_number(words_to_text(new)), words_confidence(new)
        better = not only_doubtful or not old.text or len(old.text) <= SHORT_CELL
        if text and (better or conf > old.confidence):
            cells[r][c] = Cell(text, conf, old.span, old.box)
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


# Letters Tesseract's Cyrillic models put for digits in a cell that is only a number.
_DIGIT_LOOKALIKES = str.maketrans(
    {
        "З": "3",
        "з": "3",
        "О": "0",
        "о": "0",
        "O": "0",
        "o": "0",
        "l": "1",
        "I": "1",
        "|": "1",
        ":": ".",
        ",": ".",
    }
)
_NUMBERISH = re.compile(r"[0-9ЗзОоOolI|]+(?:\s*[.:,]\s*[0-9ЗзОоOolI|]+)*[.:,]?")


# What the Kyrgyz model makes of a lone "№" (the number column's header).
_NUMERO_LOOKALIKES = frozenset({"Ме", "Мо", "Мв", "М°", "Ne", "No", "N°", "Nе", "Nо"})


def repair_number(text: str) -> str:
    """'1:1' -> '1.1', 'З' -> '3' when the whole cell is a number (with at least one real
    digit, or a single look-alike letter), 'Ме' -> '№' when it is the number sign; any
    other text is returned unchanged."""
    stripped = text.strip()
    if stripped in _NUMERO_LOOKALIKES:
        return "№"
    if not _NUMBERISH.fullmatch(stripped):
        return text
    if not any(ch.isdigit() for ch in stripped) and len(stripped) > 1:
        return text
    return re.sub(r"\s+", "", stripped.translate(_DIGIT_LOOKALIKES))


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


def _fields(settings: OcrSettings) -> dict[str, Any]:
    return {f: getattr(settings, f) for f in settings.__dataclass_fields__}


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
    rows = tuple(
        tuple(Cell(words_to_text(c), words_confidence(c)) for c in row) for row in raw_rows
    )
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


# --------------------------------------------------------------------------- one page


@dataclass(frozen=True)
class OcrPage:
    """One page read: its ruled table (if any), the text lines outside it, and what was
    done to the image (quarter turn counter-clockwise, skew removed in degrees)."""

    lines: tuple[Line, ...]
    table: OcrTable | None
    rotation: int
    skew: float
    words: tuple[Word, ...]


UPSIDE_DOWN_CONFIDENCE = 0.55  # a page read below this is tried turned by 180 degrees


def read_page(
    image: Image.Image | np.ndarray, settings: OcrSettings | None = None, source_dpi: float = 0
) -> OcrPage:
    """The whole chain for one page: upright, level, find the grid, OCR, rebuild the table,
    re-read doubtful cells; lines outside the table are kept as running text. A sideways
    page is found by its text profile; an upside-down one by its poor OCR confidence."""
    settings = OcrSettings.resolve(settings)
    gray = to_gray(image)
    if 0 < source_dpi < MIN_SOURCE_DPI:
        scale = settings.dpi / source_dpi
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    if not settings.detect_orientation:
        return _read_upright(gray, 0, settings)
    turn = 270 if text_is_vertical(gray, settings.max_skew) else 0
    page = _read_upright(gray, turn, settings)
    if words_confidence(page.words) < UPSIDE_DOWN_CONFIDENCE:
        flipped = _read_upright(gray, (turn + 180) % 360, settings)
        if words_confidence(flipped.words) > words_confidence(page.words):
            return flipped
    return page


def _read_upright(gray: np.ndarray, turn: int, settings: OcrSettings) -> OcrPage:
    gray, skew = upright(gray, turn, settings.max_skew)
    rulings = find_ruling_lines(gray)
    if not rulings.is_table:
        words = [w for w in image_to_words(gray, settings) if _is_text(w)]
        return OcrPage(tuple(words_to_lines(words)), None, turn, skew, tuple(words))
    # A ruled table: its cells are read on strips, the text around it on the page with the
    # table painted out.
    clean = remove_rulings(gray, rulings)
    table = read_cells(clean, words_to_table([], rulings), settings)
    left, top, right, bottom = rulings.bbox
    around = clean.copy()
    around[max(0, top - 2) : bottom + 3, max(0, left - 2) : right + 3] = 255
    words = [w for w in image_to_words(around, settings) if _is_text(w)]
    cell_words = tuple(
        Word(c.text, *_box_to_ltwh(c.box), c.confidence)
        for row in table.cells
        for c in row
        if c.text and c.box
    )
    return OcrPage(tuple(words_to_lines(words)), table, turn, skew, tuple(words) + cell_words)


def _box_to_ltwh(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


_JUNK = set("|_=`~^¦‚„")


def _is_text(word: Word) -> bool:
    """Drop what Tesseract makes of dust and line remnants: strokes like `|`, `_`, and
    unsure punctuation-only marks."""
    if all(ch in _JUNK for ch in word.text):
        return False
    return any(ch.isalnum() for ch in word.text) or word.confidence >= 0.5
