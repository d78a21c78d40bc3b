"""Find the plan table's columns by what their headers mean (Kyrgyz or Russian), never by
position or count.

The header row is the row whose cells name every required column (measure text, deadline,
responsible); any optional column (number, task, baseline, indicator, expected result,
funding, measure id) may be there or not, in any order. Header words are data
(`data/decree_headers.yaml`): an exact phrase wins, else the closest phrase by rapidfuzz.
"""

from __future__ import annotations

import re
from typing import Any

from core.model import PLAN_COLUMNS
from core.once import once
from core.text import clean_cell
from core.vocab import load_vocab
from extractors.decree_rows import ID_COLUMN

HEADER_COLUMNS: tuple[str, ...] = (*PLAN_COLUMNS, ID_COLUMN)
SECTION_KINDS = ("chapter", "goal", "task")
_NUMBER_CELL = re.compile(r"^\d{1,3}\.?$")


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        return "missing 'columns'"
    unknown = set(data["columns"]) - set(HEADER_COLUMNS)
    missing = set(PLAN_COLUMNS) - set(data["columns"])
    if unknown or missing:
        return f"columns must be {HEADER_COLUMNS}; unknown {unknown}, missing {missing}"
    if not set(data.get("required", ())) <= set(data["columns"]) or not data.get("required"):
        return "'required' must name some of the columns"
    if not all(isinstance(p, list) and p for p in data["columns"].values()):
        return "every column needs a non-empty list of phrases"
    if not 50 <= data.get("fuzzy_cutoff", 0) <= 100:
        return "'fuzzy_cutoff' must be 50..100"
    sections = data.get("sections", {})
    if set(sections) != set(SECTION_KINDS):
        return f"'sections' must be exactly {SECTION_KINDS}"
    for kind, patterns in sections.items():
        for p in patterns:
            try:
                groups = set(re.compile(p).groupindex)
            except re.error as err:
                return f"section pattern {p!r}: {err}"
            if groups != {"id" if kind == "goal" else "no", "title"}:
                return f"section pattern {p!r} must have the groups its kind needs"
    return None


@once
def header_vocab() -> dict[str, Any]:
    return load_vocab("extractors", "decree_headers.yaml", _validate)


def _normal(text: str) -> str:
    text = clean_cell(text).casefold().replace("ё", "е")
    text = re.sub(r"[/().,:;\"«»]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@once
def _phrases() -> tuple[tuple[str, str], ...]:
    """(normalized phrase, column), every phrase of every column."""
    vocab = header_vocab()
    return tuple((_normal(p), c) for c, phrases in vocab["columns"].items() for p in phrases)


def column_of(header_cell: str) -> str | None:
    """The canonical column a header cell names, or None. The longest phrase the cell holds
    as whole words wins; a short cell holding none takes its closest phrase (fuzzy)."""
    text = _normal(header_cell)
    if not text:
        return None
    padded = f" {text} "
    hits = [(len(phrase), column) for phrase, column in _phrases() if f" {phrase} " in padded]
    if hits:
        return max(hits)[1]
    return _fuzzy_column(text)


def _fuzzy_column(text: str) -> str | None:
    vocab = header_vocab()
    if len(text.split()) > vocab.get("fuzzy_max_words", 5) or len(text) < 4:
        return None
    from rapidfuzz import fuzz, process  # only for the rare header no phrase names exactly

    choices = [p for p, _ in _phrases() if len(p) >= 4]
    best = process.extractOne(text, choices, scorer=fuzz.ratio, score_cutoff=vocab["fuzzy_cutoff"])
    if best is None:
        return None
    return dict((p, c) for p, c in _phrases())[best[0]]


def map_header(cells: list[str]) -> dict[int, str] | None:
    """Map a candidate header row to {cell index: canonical column}, or None if it is not one:
    the plan's header names every required column (each column taken once, first cell wins)."""
    mapping: dict[int, str] = {}
    for i, cell in enumerate(cells):
        column = column_of(cell)
        if column and column not in mapping.values():
            mapping[i] = column
    required = set(header_vocab()["required"])
    return mapping if required <= set(mapping.values()) else None


def is_number_row(texts: list[str]) -> bool:
    """The row of column numbers (`1 2 3 …`, maybe `1.`) printed under a header: its
    non-empty cells count 1, 2, 3 … and there are at least three of them."""
    filled = [t.strip() for t in texts if t and t.strip()]
    if len(filled) < 3 or not all(_NUMBER_CELL.match(t) for t in filled):
        return False
    return [int(t.rstrip(".")) for t in filled] == list(range(1, len(filled) + 1))


@once
def section_patterns() -> dict[str, list[re.Pattern[str]]]:
    """Compiled chapter/goal/task row patterns from the vocabulary."""
    return {
        kind: [re.compile(p, re.I) for p in patterns]
        for kind, patterns in header_vocab()["sections"].items()
    }


def section_of(text: str) -> tuple[str, re.Match[str]] | None:
    """('chapter' | 'goal' | 'task', the match) for a section heading's text, else None."""
    text = clean_cell(text)
    for kind, patterns in section_patterns().items():
        for p in patterns:
            if m := p.match(text):
                return kind, m
    return None
