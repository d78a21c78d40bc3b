"""Measure references in report text: `2.1`, `2.1.`, `п. 2.1`, `пункт 2.1`, `2.1-чара`,
`чара 2.1`, `мероприятие 2.1`, `Мероприятие № 2.1`. The words come from
`data/report_headers.yaml` (`references`); this module only builds the patterns.
"""

from __future__ import annotations

import re

from core.once import once
from normalizers.report_columns import report_vocab

# A measure number N.M; not part of a date (03.07.2020) or a longer number (1.2.3, 2.15.4).
_ID = r"(?<!\d)(?<!\d[.,])(?P<id>\d{1,3}\.\d{1,3})(?!\d|\.\d|,\d)"


def _alternation(words: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s*") for w in sorted(words, key=len, reverse=True)
    )


@once
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = report_vocab()["references"]
    prefix = rf"(?:{_alternation(words['prefixes'])})"
    suffix = rf"(?:{_alternation(words['suffixes'])})(?!\w)"
    at_start = re.compile(rf"^\s*(?:{prefix}\s*)?{_ID}\.?(?:\s*{suffix})?", re.I)
    # Anywhere in running text only a marked form counts: a prefix word or a suffix word.
    after = _ID.replace("?P<id>", "?P<after>")
    marked = re.compile(rf"(?:(?<!\w){prefix}\s*{_ID}|{after}\.?\s*{suffix})", re.I)
    return at_start, marked


def ref_at_start(text: str) -> str | None:
    """The measure number a cell or paragraph starts with ("2.1", "п. 2.1", "2.1-чара ...")."""
    m = _patterns()[0].match(text or "")
    return m["id"] if m else None


def ref_in_text(text: str) -> str | None:
    """The first marked reference anywhere in running text ("... боюнча 2.1-чара ...")."""
    m = _patterns()[1].search(text or "")
    if not m:
        return None
    return m["id"] or m["after"]


def strip_ref(text: str) -> str:
    """The text after a leading reference ("2.1. Изилдөө ..." -> "Изилдөө ...")."""
    m = _patterns()[0].match(text or "")
    return text[m.end() :].lstrip(" .:-–—)") if m else text
