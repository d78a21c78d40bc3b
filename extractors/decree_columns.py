"""Find the plan table's columns by their header words (Kyrgyz or Russian), never by position."""

from __future__ import annotations

import re
from typing import Any

from core.model import PLAN_COLUMNS
from core.once import once
from core.text import clean_cell
from core.vocab import load_vocab

MIN_HEADER_COLUMNS = 6  # a row naming fewer known columns is not the plan's header


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict) or "columns" not in data:
        return "missing 'columns'"
    unknown = set(data["columns"]) - set(PLAN_COLUMNS)
    missing = set(PLAN_COLUMNS) - set(data["columns"])
    if unknown or missing:
        return f"columns must be exactly {PLAN_COLUMNS}; unknown {unknown}, missing {missing}"
    return None


@once
def header_vocab() -> dict[str, Any]:
    return load_vocab("extractors", "decree_headers.yaml", _validate)


def column_of(header_cell: str) -> str | None:
    """The canonical column a header cell names, or None. Longest matching phrase wins."""
    text = clean_cell(header_cell).casefold().replace("/", " ").replace("(", " ").replace(")", "")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    padded = f" {text} "
    hits = [
        (len(phrase), column)
        for column, phrases in header_vocab()["columns"].items()
        for phrase in phrases
        if f" {phrase} " in padded or padded.startswith(f" {phrase}")
    ]
    return max(hits)[1] if hits else None


def map_header(cells: list[str]) -> dict[int, str] | None:
    """Map a candidate header row to {cell index: canonical column}, or None if it is not one."""
    mapping: dict[int, str] = {}
    for i, cell in enumerate(cells):
        column = column_of(cell)
        if column and column not in mapping.values():
            mapping[i] = column
    return mapping if len(mapping) >= MIN_HEADER_COLUMNS else None


def section_patterns() -> dict[str, list[re.Pattern[str]]]:
    """Compiled chapter/goal row patterns from the vocabulary."""
    return {
        kind: [re.compile(p, re.I) for p in patterns]
        for kind, patterns in header_vocab()["sections"].items()
    }
