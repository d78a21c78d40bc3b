"""Untrusted text (file names, decree and report text, reader error messages) made safe for
each place it is written to: one function per sink, used by every writer of that sink.

- `for_xlsx(text)`: an openpyxl cell. openpyxl turns any string starting with "=" into a
  live formula, and Excel/LibreOffice also evaluate "+", "-", "@" (and a leading tab or
  CR) when a person edits the cell; XML 1.0 cannot carry most control characters. Returns
  the storable text and whether it must be written as text with Excel's quote prefix
  (`put_xlsx_text` does both on a cell, so the text shows exactly as written).
- `for_csv(text)`: OWASP CSV injection: a formula-like cell gets a leading single quote
  (the csv module does the quoting).
- `for_markdown(text)`: a markdown table cell in the Prefect UI: HTML escaped, markdown
  link/emphasis syntax escaped, `javascript:`-style schemes broken, pipes escaped and line
  breaks flattened so a cell cannot end its row.
- `for_terminal(text)`: one line on a terminal: ESC sequences, C0/C1 controls and bidi
  overrides removed, undecodable file-name bytes shown as `\\xNN`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FORMULA_PREFIXES",
    "XlsxText",
    "for_csv",
    "for_markdown",
    "for_terminal",
    "for_xlsx",
    "looks_like_formula",
    "put_xlsx_text",
    "show_surrogates",
]

# A spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids these (openpyxl raises IllegalCharacterError on them); lone surrogates
# (undecodable file-name bytes) and the two non-characters cannot be encoded either.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# ESC sequences: CSI (colours, cursor moves), OSC (window title, hyperlinks; ends with BEL
# or ST), other two-byte escapes; then what is left of C0/C1 controls, DEL, bidi overrides
# ("Trojan source": text that displays in another order than it reads).
_ESC_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[@-_]?"
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# Characters that start markdown syntax inside a table cell (links, images, emphasis, code).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()!|#~])")
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)(\s*):")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def show_surrogates(text: str) -> str:
    """Lone surrogates (bytes of a file name that were not UTF-8, kept by Python's
    surrogateescape) shown as `\\xNN`; any other surrogate as `\\uNNNN`."""

    def shown(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _SURROGATE.sub(shown, text)


@dataclass(frozen=True)
class XlsxText:
    text: str  # what the cell stores (XML-illegal characters dropped)
    quote: bool  # formula-like: must be a text cell with Excel's quote prefix


def for_xlsx(text: str) -> XlsxText:
    """The text an xlsx cell can store, and whether it must be quoted (never a formula)."""
    text = _XML_ILLEGAL.sub("", text)
    return XlsxText(text, looks_like_formula(text))


def put_xlsx_text(cell: Any, value: Any) -> bool:
    """Write `value` into an openpyxl cell; a string is stored as inert text, shown verbatim.

    Returns True when the cell needs Excel's quote prefix (formula-like text); the cell's
    `quotePrefix` is set here, so callers with their own style cache may re-apply it."""
    if not isinstance(value, str):
        cell.value = value
        return False
    safe = for_xlsx(value)
    cell.value = safe.text
    if safe.quote:
        cell.data_type = "s"  # openpyxl made it "f" for a leading "="
        cell.quotePrefix = True
    return safe.quote


def for_csv(text: str) -> str:
    """A CSV cell a spreadsheet will not evaluate: formula-like text gets a leading quote."""
    return "'" + text if looks_like_formula(text) else text


def for_markdown(text: str) -> str:
    """Text for one markdown table cell: no HTML, no links or images, no row breaks."""
    text = _CONTROL.sub(" ", _LINE_BREAK.sub(" ", show_surrogates(text)))
    text = html.escape(text, quote=True)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _SCHEME.sub(r"\1\2&#58;", text)


def for_terminal(text: str) -> str:
    """Text for one terminal line: escape sequences and control characters removed."""
    text = _LINE_BREAK.sub(" ", show_surrogates(text)).replace("\t", " ")
    return _CONTROL.sub("", _ESC_SEQUENCE.sub("", text))
