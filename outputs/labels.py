"""The workbook's words in Kyrgyz and Russian, from one table: `outputs/data/labels.yaml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.errors import ConfigError
from core.vocab import load_vocab

LABELS_FILE = "labels.yaml"
DEFAULT_LANG = "ky"
GROUPS = (
    "sheets",
    "headers",
    "statuses",
    "states",
    "recurrence",
    "sources",
    "review_kinds",
    "texts",
)
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

    def text(self, key: str) -> str:
        return self.word("texts", key)


def load_labels(lang: str = DEFAULT_LANG) -> Labels:
    data = load_vocab("outputs", LABELS_FILE, validate_labels)
    if lang not in data["languages"]:
        raise ConfigError(None, f"lang: {lang!r} is not one of {data['languages']}")
    return Labels(lang, {g: data[g] for g in GROUPS})
