"""Page geometry: grayscale, quarter turns, skew, and the ruling lines of a table grid."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import cv2
import numpy as np
from PIL import Image

from extractors.ocr.settings import (
    DEFAULT_MAX_SKEW,
    LETTERS_PER_SEGMENT,
    MAX_LINE_BREAK,
    RULING_MIN_FRACTION,
    TABLE_MIN_LINES,
    VERTICAL_MIN_FRACTION,
)


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


def remove_rulings(gray: np.ndarray, rulings: Rulings) -> np.ndarray:
    """The page with its ruling lines painted white: Tesseract reads lines next to short
    cell text as noise and drops the text (a lone measure number, say)."""
    clean = gray.copy()
    clean[rulings.mask > 0] = 255
    return clean
