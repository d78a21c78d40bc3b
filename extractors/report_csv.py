"""CSV reports: one table, delimiter sniffed among comma, semicolon and tab (Excel in a
Russian locale saves with semicolons, in cp1251)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from core.errors import UnreadableReport
from core.model import Document
from core.text import clean_cell
from extractors.report_settings import ReaderSettings
from extractors.report_table import rows_to_table
from extractors.report_text import decode_text
from extractors.report_zip import has_known_magic

SUFFIXES = (".csv", ".tsv")
DELIMITERS = ",;\t"
SNIFF_CHARS = 16384


def can_read(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in SUFFIXES and not has_known_magic(head)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most rows into the same number (>1) of cells (ties: more cells).

    csv.Sniffer is fooled by title lines full of commas above a semicolon table."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = Counter(len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter))
        except csv.Error:
            continue
        score = max(
            ((count, width) for width, count in widths.items() if width > 1), default=(0, 0)
        )
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    text = decode_text(path, path.read_bytes())
    delimiter = sniff_delimiter(text[:SNIFF_CHARS])
    lines = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        table = rows_to_table(([clean_cell(c) for c in row] for row in lines), "csv", "row ")
    except csv.Error as err:
        raise UnreadableReport(path, f"malformed CSV ({err})") from err
    return Document(source=path.name, tables=(table,) if table.rows else ())
