"""Tesseract words and lines: word boxes with confidence, visual lines, cell text, numbers."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

import numpy as np
import pytesseract
from PIL import Image

from core.once import once
from extractors.hyphens import join_lines
from extractors.ocr.settings import DEFAULT_LANGS, OcrSettings

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


def words_to_line_texts(words: Sequence[Word]) -> tuple[str, ...]:
    """Words of one cell in reading order, one string per visual line."""
    return tuple(line.text for line in words_to_lines(list(words), gap_factor=1e9))


def words_to_text(words: Sequence[Word]) -> str:
    """Words of one cell in reading order, its lines joined by the line-end hyphen rule
    (`extractors.hyphens.join_lines`): `үй-` + `бүлөлүк` → `үй-бүлөлүк`, a free-standing
    dash keeps its spaces, any other break is a space. A reader of a whole document joins
    the lines again with its evidence (`Cell.lines`)."""
    return join_lines(words_to_line_texts(words))


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


_JUNK = set("|_=`~^¦‚„")


def is_text(word: Word) -> bool:
    """Drop what Tesseract makes of dust and line remnants: strokes like `|`, `_`, and
    unsure punctuation-only marks."""
    if all(ch in _JUNK for ch in word.text):
        return False
    return any(ch.isalnum() for ch in word.text) or word.confidence >= 0.5
