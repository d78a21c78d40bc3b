"""The whole document: `text_to_decree` (pure) and `read_decree_text` (the disk)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.errors import UnreadableDecree
from core.model import Provenance
from extractors.decree_columns import is_number_row, map_header
from extractors.decree_rows import DecreeText
from extractors.decree_text.lines import (
    clean_fragment,
    find_header,
    find_table_end,
    find_title,
    line_to_fragments,
)
from extractors.decree_text.model import (
    Layout,
    Line,
    TextReaderSettings,
)
from extractors.decree_text.rows import (
    choose_anchor,
    lines_to_rows,
)


def text_to_decree(
    text: str, source: str, sha256: str = "", settings: TextReaderSettings | None = None
) -> DecreeText:
    """The whole converter text → DecreeText. Raises UnreadableDecree without a plan table."""
    settings = settings or TextReaderSettings()
    raw_lines = text.splitlines()
    found = find_header(raw_lines)
    if found is None:
        raise UnreadableDecree(source, "no plan table found (no header row naming its columns)")
    header, columns = found
    width = len(raw_lines[header].split("\t"))
    layout = Layout(columns, width)
    if layout.pos("text") is None:
        raise UnreadableDecree(source, "plan table header has no measures column")
    end = find_table_end(raw_lines, header + 1)
    table = [
        line
        for i in range(header + 1, end)
        if (line := line_to_fragments(i + 1, raw_lines[i])) is not None and not _header_again(line)
    ]
    layout = choose_anchor(table, layout)
    rows, unassigned = lines_to_rows(table, layout, source, settings)
    if not any(not r.spanning for r in rows):
        raise UnreadableDecree(source, "plan table has no numbered measures")
    abbreviations = [
        (cleaned, Provenance(source, lines=(i + 1,)))
        for i in range(end + 1, len(raw_lines))
        if (cleaned := clean_fragment(raw_lines[i].replace("\t", " ")))
    ]
    return DecreeText(
        source=source,
        sha256=sha256,
        title=find_title(raw_lines, header),
        rows=rows,
        abbreviation_lines=abbreviations,
        unassigned=unassigned,
    )


def _header_again(line: Line) -> bool:
    """A header repeated on a later page, or the row of column numbers under a header."""
    texts = [f.text for f in line.fragments]
    return len(texts) > 1 and (is_number_row(texts) or map_header(texts) is not None)


def read_decree_text(path: Path, settings: TextReaderSettings | None = None) -> DecreeText:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableDecree(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        return text_to_decree(text, Path(path).name, sha256, settings)
    except UnreadableDecree as err:  # name the file as the caller gave it
        raise UnreadableDecree(path, err.reason) from None
