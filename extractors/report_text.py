"""Plain-text and markdown reports (.txt/.md): lines become paragraphs; pipe tables
(`| a | b |`) and tab-separated blocks become tables.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.errors import UnreadableReport
from core.model import Document, Paragraph, Table
from core.text import clean_cell
from extractors.report_settings import ReaderSettings
from extractors.report_zip import has_known_magic

SUFFIXES = (".txt", ".md", ".markdown", ".text")
LEGACY_ENCODINGS = ("cp1251",)  # what Windows machines in the ministries save by default
MAX_CONTROL_SHARE = 0.01  # more control characters than this: binary, not text
UTF16_HIGH_SHARE = 0.9  # UTF-16 without BOM: this share of high bytes is 0x00 or 0x04 ...
STRAY_NUL_SHARE = 0.01  # ... and (almost) no low byte is NUL
_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def can_read(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in SUFFIXES and not has_known_magic(head)


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    text = decode_text(path, path.read_bytes())
    paragraphs: list[Paragraph] = []
    tables: list[Table] = []
    block: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = _cells_of(line)
        if cells is not None:
            if not _SEPARATOR_ROW.match(line.strip()):
                block.append((number, cells))
            continue
        if block:
            tables.append(_table_of(block, len(tables) + 1))
            block = []
        if cleaned := clean_cell(line.lstrip("#>").strip()):
            paragraphs.append(Paragraph(cleaned, f"line {number}"))
    if block:
        tables.append(_table_of(block, len(tables) + 1))
    return Document(source=path.name, paragraphs=tuple(paragraphs), tables=tuple(tables))


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM or by its NULs, else cp1251; binary is
    refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    elif utf16 := sniff_utf16(data):
        candidates = (utf16,)
    else:
        candidates = ("utf-8-sig", *LEGACY_ENCODINGS)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) <= MAX_CONTROL_SHARE * len(text):
            return text
    raise UnreadableReport(path, "not a text file (undecodable bytes or binary content)")


def sniff_utf16(data: bytes, sample: int = 4096) -> str | None:
    """ "utf-16-le"/"utf-16-be" for UTF-16 saved without a BOM, else None.

    In Kyrgyz/Russian UTF-16 nearly every high byte is 0x00 (digits, spaces, separators) or
    0x04 (Cyrillic), and the low bytes are (almost) never NUL; text in a one-byte encoding
    has no NULs at all, and binary data has them on both sides."""
    head = data[: sample - sample % 2]
    half = len(head) // 2
    if half < 2:
        return None
    for encoding, high, low in (
        ("utf-16-le", head[1::2], head[0::2]),
        ("utf-16-be", head[0::2], head[1::2]),
    ):
        nul = high.count(0)
        if (
            nul
            and nul + high.count(4) >= UTF16_HIGH_SHARE * half
            and low.count(0) <= STRAY_NUL_SHARE * half
        ):
            return encoding
    return None


def _cells_of(line: str) -> list[str] | None:
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        return [clean_cell(c) for c in stripped.strip("|").split("|")]
    if line.count("\t") >= 1 and stripped:
        return [clean_cell(c) for c in line.split("\t")]
    return None


def _table_of(block: list[tuple[int, list[str]]], number: int) -> Table:
    return Table(
        rows=tuple(tuple(cells) for _, cells in block),
        location=f"table {number}",
        row_locations=tuple(f"line {n}" for n, _ in block),
    )
