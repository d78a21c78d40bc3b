"""Find a report table's columns by their header words (Kyrgyz or Russian), never by position.

The vocabulary is `data/report_headers.yaml`; it also lists the addressee and executor line
patterns the report reading uses to tell the sender from the recipient.
"""

from __future__ import annotations

import re
from typing import Any

from core.once import once
from core.text import clean_cell
from core.vocab import load_vocab

COLUMNS = ("ref", "measure", "progress", "status", "indicator_value", "remarks", "ignore")


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a mapping"
    keys = ("columns", "header_requires", "addressee", "executor_labels", "references")
    for key in (*keys, "ordinals", "closing", "addressee_grammar"):
        if key not in data:
            return f"missing {key!r}"
    grammar = data["addressee_grammar"]
    missing = {"to_prepositions", "to_endings", "ru_modifier_endings", "ky_abbreviation"}
    missing |= {"governed_by"}
    missing -= set(grammar)
    if missing:
        return f"addressee_grammar misses {sorted(missing)}"
    if not {"ru", "ky"} <= set(grammar.get("heads") or {}) or not grammar.get("labels"):
        return "addressee_grammar needs heads for ru and ky, and labels"
    if not {"ru", "ru_line_start", "ky", "ky_possessive"} <= set(grammar.get("dative") or {}):
        return "addressee_grammar.dative needs ru, ru_line_start, ky and ky_possessive"
    unknown = set(data["columns"]) - set(COLUMNS)
    if unknown:
        return f"unknown columns {sorted(unknown)}; allowed {COLUMNS}"
    for group in data["header_requires"]:
        if not set(group) <= set(COLUMNS):
            return f"header_requires names unknown columns: {group}"
    try:
        for pattern in [*data["addressee"], *data["executor_labels"], *data["closing"]]:
            re.compile(pattern)
        re.compile(data["addressee_grammar"].get("ky_abbreviation", ""))
        for pattern in data["ordinals"].values():
            re.compile(pattern)
    except re.error as err:
        return f"bad regular expression: {err}"
    return None


@once
def report_vocab() -> dict[str, Any]:
    return load_vocab("normalizers", "report_headers.yaml", _validate)


def _normal(text: str) -> str:
    text = clean_cell(text).casefold().replace("ё", "е")
    text = re.sub(r"[/()\[\]:,;«»\"']", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@once
def _phrases() -> tuple[tuple[str, str], ...]:
    """(phrase, column), longest phrase first."""
    pairs = [(_normal(p), col) for col, words in report_vocab()["columns"].items() for p in words]
    return tuple(sorted(pairs, key=lambda pc: -len(pc[0])))


def column_of(header_cell: str) -> str | None:
    """The column a header cell names, or None. The longest matching phrase wins."""
    padded = f" {_normal(header_cell)} "
    if padded.strip() == "" or len(padded) > 80:  # a long cell is text, not a header
        return None
    return next((col for phrase, col in _phrases() if f" {phrase} " in padded), None)


def map_header(cells: tuple[str, ...] | list[str]) -> dict[str, int] | None:
    """{column: cell index} for a header row, or None if the row is not a report header."""
    mapping: dict[str, int] = {}
    for i, cell in enumerate(cells):
        column = column_of(cell)
        if column and column != "ignore" and column not in mapping:
            mapping[column] = i
    groups = report_vocab()["header_requires"]
    return mapping if all(any(c in mapping for c in group) for group in groups) else None


@once
def _compiled(key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in report_vocab()[key])


def is_addressee(line: str) -> bool:
    return any(p.search(line) for p in _compiled("addressee"))


def is_executor_line(line: str) -> bool:
    return any(p.search(line) for p in _compiled("executor_labels"))


def is_closing(line: str) -> bool:
    """A letter's closing line (signature, annex, executor, phone): ends a numbered entry."""
    return any(p.match(line.strip()) for p in _compiled("closing"))
