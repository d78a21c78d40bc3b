"""Join the lines of one wrapped cell back into its text: the line-end hyphen rule.

A line that ends with a hyphen attached to a letter or digit (`үй-`, `2018-`) broke a
hyphenated word; when the next line goes on with a letter or digit (`бүлөлүк`), the two join
without a space (`үй-бүлөлүк`). A free-standing dash (`текст -`) keeps its spaces, and so
does everything else. Shared by every reader that sees wrapped cell lines (PDF, OCR,
box-drawing text, `<br>` in markdown/HTML cells). Pure; no document-level guessing here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HYPHENS = "-\u2010\u2011\u2013"  # hyphen-minus, hyphen, non-breaking hyphen, en dash
_ATTACHED_END = re.compile(rf"[^\W_][{HYPHENS}]$")
_WORD_START = re.compile(r"^[^\W_]")


def ends_with_attached_hyphen(line: str) -> bool:
    return bool(_ATTACHED_END.search(line.rstrip()))


def join_wrapped(lines: Iterable[str]) -> str:
    """The cell's lines joined with one space, except after a line-end attached hyphen
    followed by a line starting with a letter or digit (then no space)."""
    text = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        if not text:
            text = line
        elif ends_with_attached_hyphen(text) and _WORD_START.match(line):
            text += line
        else:
            text += " " + line
    return text
