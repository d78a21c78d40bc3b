"""The workbook's words in Kyrgyz and Russian, from one table: `outputs/data/labels.yaml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.errors import ConfigError
from core.vocab import load_vocab

LABELS_FILE = "labels.yaml"
DEFAULT_LANG = "ky"
GROUPS = (
    "sheets",
    "headers",
    "statuses",
    "overdue_kinds",
    "states",
    "changes",
    "outcomes",
    "reasons",
    "findings",
    "locations",
    "recurrence",
    "sources",
    "review_kinds",
    "texts",
)
DATE_TEXT = "%d.%m.%Y"  # dates inside sentences; date cells keep a date format
PERIOD = re.compile(r"(\d{4})(?:-H([12]))?")
LOCATION_WORDS = re.compile(r"\b(sheet|row|table|page|line|para|header)\b")
PROVENANCE = re.compile(r":(p|L)(\d+(?:-\d+)?)")  # core.model.Provenance: "file:p2:L10-12"
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit


def validate_labels(data: Any) -> str | None:
    """An error message, or None when every entry has every language."""
    if not isinstance(data, dict) or not isinstance(data.get("languages"), list):
        return "expected a mapping with a 'languages' list"
    langs = data["languages"]
    for group in GROUPS:
        entries = data.get(group)
        if not isinstance(entries, dict) or not entries:
            return f"group {group!r} missing or empty"
        for key, words in entries.items():
            if not isinstance(words, dict):
                return f"{group}.{key}: expected a mapping of language -> text"
            for lang in langs:
                if not isinstance(words.get(lang), str) or not words[lang].strip():
                    return f"{group}.{key}: no {lang!r} text"
    patterns = data.get("reason_patterns")
    if not isinstance(patterns, dict) or set(patterns) - set(data["reasons"]):
        return "reason_patterns: a mapping of `reasons` keys to regular expressions"
    for key, pattern in patterns.items():
        try:
            re.compile(pattern)
        except (re.error, TypeError):
            return f"reason_patterns.{key}: not a regular expression"
    for key, words in data["sheets"].items():
        for lang in langs:
            name = words[lang]
            if len(name) > MAX_SHEET_NAME or BAD_SHEET_CHARS.search(name):
                return f"sheets.{key}.{lang}: {name!r} is not a valid sheet name"
    return None


@dataclass(frozen=True)
class Labels:
    """The words of one language; a missing key is a vocabulary bug, reported as such."""

    lang: str
    table: dict[str, dict[str, dict[str, str]]]
    reason_patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def word(self, group: str, key: str) -> str:
        try:
            return self.table[group][str(key)][self.lang]
        except KeyError:
            raise ConfigError(None, f"{LABELS_FILE}: no label {group}.{key}") from None

    def maybe(self, group: str, key: object) -> object:
        """The label for a known value, the value itself otherwise (e.g. an unknown status)."""
        entry = self.table[group].get(str(key)) if key is not None else None
        return entry[self.lang] if entry else key

    def sheet(self, key: str) -> str:
        return self.word("sheets", key)

    def header(self, key: str) -> str:
        return self.word("headers", key)

    def text(self, key: str, **values: object) -> str:
        """A sentence; `{name}` placeholders are filled from `values`."""
        words = self.word("texts", key)
        return words.format(**values) if values else words

    def date(self, day: date) -> str:
        return day.strftime(DATE_TEXT)

    def as_of(self, day: date) -> str:
        return self.text("as_of", date=self.date(day))

    def period(self, code: object) -> object:
        """'2019-H1' -> '2019-жылдын 1-жарым жылдыгы' / '1 полугодие 2019 г.'; other values
        (None, text that is no period code) come back unchanged."""
        m = PERIOD.fullmatch(code) if isinstance(code, str) else None
        if not m:
            return code
        year, half = m.groups()
        if half:
            return self.text("period_half", year=year, half=half)
        return self.text("period_year", year=year)

    def periods(self, codes: object) -> object:
        """'2019-H1; 2019-H2' -> each period in words."""
        if not isinstance(codes, str) or not codes:
            return codes
        return "; ".join(str(self.period(c.strip())) for c in codes.split(";"))

    def location(self, text: object) -> object:
        """'sheet Отчет!row 13' -> 'барак Отчет, сап 13'; 'decree.txt:L10-12' -> 'decree.txt:
        сап 10-12'. Sheet names, numbers and file names stay as written."""
        if not isinstance(text, str) or not text:
            return text
        text = (
            PROVENANCE.sub(
                lambda m: f", {self.word('locations', 'page' if m[1] == 'p' else 'line')} {m[2]}",
                text,
            ).replace(", ", ": ", 1)
            if PROVENANCE.search(text)
            else text
        )
        text = re.sub(r"(\d) (?=sheet|row|table|page|line|para)", r"\1, ", text)
        text = LOCATION_WORDS.sub(lambda m: self.word("locations", m[1]), text)
        return text.replace("!", ", ")

    def evidence(self, text: object) -> object:
        """'file.xlsx: sheet Отчет!row 13': the file name as written, the location in words."""
        if not isinstance(text, str) or ": " not in text:
            return text
        file, _, where = text.rpartition(": ")
        return f"{file}: {self.location(where)}"

    def reason(self, reason: object) -> str:
        """A reader's reason (English, for the ledger) as one of the `reasons` sentences."""
        for key, pattern in self.reason_patterns:
            if isinstance(reason, str) and pattern.search(reason):
                return self.word("reasons", key)
        return self.word("reasons", "other")

    def sort_key(self, text: object) -> tuple:
        """Alphabetical order of the language (Kyrgyz: Ө after О, not after Я)."""
        alphabet = self.text("alphabet")
        return tuple(
            (alphabet.index(ch), "") if ch in alphabet else (len(alphabet), ch)
            for ch in str(text).upper()
        )

    def finding(self, code: object) -> str:
        entry = self.table["findings"].get(str(code))
        return (entry or self.table["findings"]["other"])[self.lang]


def load_labels(lang: str = DEFAULT_LANG) -> Labels:
    data = load_vocab("outputs", LABELS_FILE, validate_labels)
    if lang not in data["languages"]:
        raise ConfigError(None, f"lang: {lang!r} is not one of {data['languages']}")
    patterns = tuple((k, re.compile(p, re.I)) for k, p in data["reason_patterns"].items())
    return Labels(lang, {g: data[g] for g in GROUPS}, patterns)
