"""Cell-text hygiene shared by every reader: strip converter markup, collapse whitespace."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"</?(?:p|b|i|u|a|br|span|strong|em|sup|sub|div|td|tr|font)\b[^>]*>", re.I)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)\*(?!\s)|(?<!\w)_(?!\s))")
_WS = re.compile(r"\s+")


def strip_markup(text: str) -> str:
    """Remove HTML tags, markdown links/emphasis and entities a PDF converter left behind."""
    text = _TAG.sub(" ", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub("", text)
    return html.unescape(text)


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def clean_cell(text: str) -> str:
    """Markup stripped, whitespace collapsed; words kept exactly as printed."""
    return collapse_ws(strip_markup(text))


def join_fragments(*parts: str) -> str:
    """Join page-break fragments of one cell with one space."""
    return collapse_ws(" ".join(p for p in parts if p and p.strip()))
