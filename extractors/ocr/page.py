"""One page read whole: upright, level, grid, cells, the text around the table."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from extractors.ocr.geometry import (
    find_ruling_lines,
    remove_rulings,
    text_is_vertical,
    to_gray,
    upright,
)
from extractors.ocr.settings import MIN_SOURCE_DPI, OcrSettings
from extractors.ocr.tables import OcrTable, read_cells, words_to_table
from extractors.ocr.words import (
    Line,
    Word,
    image_to_words,
    is_text,
    words_confidence,
    words_to_lines,
)

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
        words = [w for w in image_to_words(gray, settings) if is_text(w)]
        return OcrPage(tuple(words_to_lines(words)), None, turn, skew, tuple(words))
    # A ruled table: its cells are read on strips, the text around it on the page with the
    # table painted out.
    clean = remove_rulings(gray, rulings)
    table = read_cells(clean, words_to_table([], rulings), settings)
    left, top, right, bottom = rulings.bbox
    around = clean.copy()
    around[max(0, top - 2) : bottom + 3, max(0, left - 2) : right + 3] = 255
    words = [w for w in image_to_words(around, settings) if is_text(w)]
    cell_words = tuple(
        Word(c.text, *_box_to_ltwh(c.box), c.confidence)
        for row in table.cells
        for c in row
        if c.text and c.box
    )
    return OcrPage(tuple(words_to_lines(words)), table, turn, skew, tuple(words) + cell_words)


def _box_to_ltwh(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return box[0], box[1], box[2] - box[0], box[3] - box[1]
