"""Measure references in report text: `2.1`, `2.1.`, `п. 2.1`, `пункт 2.1`, `2.1-чара`,
`чара 2.1`, `мероприятие 2.1`, `Мероприятие № 2.1`, `по пункту 2.1`, `2.1-чара боюнча`; and
the ordinals that number a letter's paragraphs before them (`1.`, `2)`, `б)`, `•`, `II.`).
The words and ordinal shapes come from `data/report_headers.yaml` (`references`,
`ordinals`); this module only builds the patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.once import once
from normalizers.report_columns import report_vocab

_WORDED = re.compile(r"[^\d.\s]")  # a reference with a word in it, not a bare number
_GAP = re.compile(r"[\s.:)\-–—]*")
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
    at_start = re.compile(rf"\s*(?:{prefix}\s*)?{_ID}\.?(?:\s*{suffix})?", re.I)
    # Anywhere in running text only a marked form counts: a prefix word or a suffix word.
    after = _ID.replace("?P<id>", "?P<after>")
    marked = re.compile(rf"(?:(?<!\w){prefix}\s*{_ID}|{after}\.?\s*{suffix})", re.I)
    return at_start, marked


@once
def _ordinal() -> re.Pattern[str]:
    """An ordinal at the start of a paragraph, followed by a space or a letter (bullets: by
    anything) — "1. Мероприятие", "2)По пункту", "4)9.2-чара", "•4.3"; never "1.2" itself. One named
    group per shape, so the shape is known ("arabic", "letter", "roman", "bullet", "dash")."""
    shapes = report_vocab()["ordinals"]
    followed = {k: "" if k == "bullet" else r"(?=\s|[^\W_])" for k in shapes}
    groups = "|".join(f"(?P<{k}>{p}){followed[k]}" for k, p in shapes.items())
    return re.compile(rf"\s*(?:{groups})\s*")


@dataclass(frozen=True)
class EntryStart:
    """How a numbered paragraph opens: its measure number (or None) and the text after it."""

    ref: str | None
    rest: str
    ordinal: str  # the shape of its leading ordinal ("arabic", "letter", ...), "" if none
    style: str = ""  # shape and closing mark ("arabic.", "arabic)"): one list, one style


def leading_ordinal(text: str) -> tuple[str, int]:
    """(shape, where the text after it begins) of a leading ordinal; ("", 0) when none."""
    m = _ordinal().match(text or "")
    return (m.lastgroup or "", m.end()) if m else ("", 0)


def _style(text: str, shape: str, end: int) -> str:
    return shape + text[:end].strip()[-1:] if shape else ""


def _opening(text: str, start: int) -> re.Match[str] | None:
    """The reference right at `start` (after an ordinal); a bare number followed at once by a
    marked reference is a second ordinal ("1.1. Мероприятие № 15.2" is 15.2)."""
    at_start = _patterns()[0]
    m = at_start.match(text, start)
    if m and not _WORDED.search(m[0]):
        gap = _GAP.match(text, m.end())
        again = at_start.match(text, gap.end())
        if again and _WORDED.search(again[0]):
            return again
    return m


def entry_start(text: str) -> EntryStart | None:
    """Read a paragraph that may open a numbered entry; None if it opens none.

    The reference is looked for after the ordinal: at the start ("1. 4.3 …", "2. По пункту
    24.3 …", "3) 9.2-чара боюнча: …", "1.1. Мероприятие № 15.2"); after an ordinal, a marked
    reference further on counts too ("1. В рамках мероприятия 15.2 проведено …")."""
    text = text or ""
    shape, start = leading_ordinal(text)
    style = _style(text, shape, start)
    if m := _opening(text, start):
        return EntryStart(m["id"], _tail(text, m.end()), shape, style)
    if not start:
        return None
    found = _patterns()[1].search(text, start)
    ref = (found["id"] or found["after"]) if found else None
    return EntryStart(ref, text[start:].strip(), shape, style)


def _tail(text: str, end: int) -> str:
    return text[end:].lstrip(" .:-–—)").strip()


def ref_at_start(text: str) -> str | None:
    """The measure number a cell or paragraph starts with ("2.1", "п. 2.1", "2.1-чара ..."),
    read past an ordinal ("1. Мероприятие № 15.2", "3) 9.2-чара боюнча") — never the
    ordinal itself."""
    text = text or ""
    m = _opening(text, leading_ordinal(text)[1])
    return m["id"] if m else None


def ref_in_text(text: str) -> str | None:
    """The first marked reference anywhere in running text ("... боюнча 2.1-чара ...")."""
    m = _patterns()[1].search(text or "")
    if not m:
        return None
    return m["id"] or m["after"]


def strip_ref(text: str) -> str:
    """The text after a leading reference ("2.1. Изилдөө ..." -> "Изилдөө ...", "1. п. 2.1:
    Изилдөө" -> "Изилдөө")."""
    text = text or ""
    m = _opening(text, leading_ordinal(text)[1])
    return text[m.end() :].lstrip(" .:-–—)") if m else text
