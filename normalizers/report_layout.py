"""Where a report's entries are: the table rows under a recognised header, or numbered
paragraphs; and the lines around them (letter head, title, signature) that name the agency,
the period and the date.

Pure functions over `core.model.Document`; the header words come from report_columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.model import Document, Table
from normalizers.measure_links import MIN_TEXT_WORDS
from normalizers.measure_refs import EntryStart, entry_start
from normalizers.report_columns import is_closing, map_header

HEADER_SEARCH_ROWS = 30
TOP_LEVEL_ORDINALS = (
    "arabic",
    "roman",
)  # a header further down a sheet than this is not a report's header


# The header of the previous table: its column map, its width and the header row itself.
Carry = tuple[dict[str, int], int, tuple[str, ...]]


@dataclass(frozen=True)
class RawEntry:
    """One entry's cells as found, before statuses and links are read."""

    ref: str = ""
    measure: str = ""
    progress: str = ""
    status: str = ""
    indicator_value: str = ""
    location: str = ""
    remarks: str = ""  # a remarks column ("Примечание", "Эскертүү"): a status source too

    @property
    def has_content(self) -> bool:
        return bool(self.progress or self.status or self.indicator_value or self.remarks)


@dataclass(frozen=True)
class Layout:
    entries: tuple[RawEntry, ...]
    lines: tuple[str, ...]  # every text line that is not an entry, in reading order
    from_table: bool  # entries came from a table (else from numbered paragraphs)


def document_to_layout(doc: Document) -> Layout:
    entries: list[RawEntry] = []
    lines = [p.text for p in doc.paragraphs]
    carry: Carry | None = None
    for table in doc.tables:
        continued = carry is not None and not _has_header(table)
        table_entries, table_lines, carry = table_to_entries(table, carry)
        if continued and entries and table_entries and _is_row_remainder(table, table_entries[0]):
            entries[-1] = merge_entries(entries[-1], table_entries.pop(0))
        entries += table_entries
        lines += table_lines
    if entries:
        return Layout(tuple(entries), tuple(lines), True)
    return paragraphs_to_layout(doc)


def _has_header(table: Table) -> bool:
    return any(map_header(row) for row in table.rows[:HEADER_SEARCH_ROWS])


def _is_row_remainder(table: Table, entry: RawEntry) -> bool:
    """The first row of a continued table with no number anywhere is the rest of the previous
    page's last row (Word prints a long row across the page break)."""
    first = table.rows[0] if table.rows else ()
    return not (entry.ref or entry.measure or (first and first[0]))


def merge_entries(head: RawEntry, rest: RawEntry) -> RawEntry:
    def joined(a: str, b: str) -> str:
        return f"{a} {b}".strip()

    return replace(
        head,
        progress=joined(head.progress, rest.progress),
        status=joined(head.status, rest.status),
        indicator_value=joined(head.indicator_value, rest.indicator_value),
        remarks=joined(head.remarks, rest.remarks),
    )


def table_to_entries(
    table: Table, carry: Carry | None
) -> tuple[list[RawEntry], list[str], Carry | None]:
    """Entries under the table's header; the other rows as lines. A table without a header of
    the previous table's width continues that table (a table broken across PDF pages)."""
    start = next(
        (i for i, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]) if map_header(row)), None
    )
    width = max((len(r) for r in table.rows), default=0)
    if start is not None:
        header = map_header(table.rows[start])
        carry = (header, width, table.rows[start])
        first = start + 1
    elif carry and carry[1] == width:
        header, first = carry[0], 0
    else:
        return [], [_line(r) for r in table.rows if _line(r)], carry
    lines = [_line(r) for r in table.rows[:first] if _line(r)]
    entries: list[RawEntry] = []
    locations = table.row_locations or tuple(
        f"{table.location} row {i + 1}" for i in range(len(table.rows))
    )
    for row, location in zip(table.rows[first:], locations[first:], strict=False):
        if row == carry[2]:  # the header repeated further down
            continue
        entry = row_to_entry(row, header, location)
        if entry.has_content and (entry.ref or entry.measure or entry.progress):
            entries.append(entry)
        elif _line(row):
            lines.append(_line(row))
    return entries, lines, carry


def row_to_entry(row: tuple[str, ...], header: dict[str, int], location: str) -> RawEntry:
    def cell(column: str) -> str:
        i = header.get(column)
        return row[i] if i is not None and i < len(row) else ""

    return RawEntry(
        ref=cell("ref"),
        measure=cell("measure"),
        progress=cell("progress"),
        status=cell("status"),
        indicator_value=cell("indicator_value"),
        location=location,
        remarks=cell("remarks"),
    )


def paragraphs_to_layout(doc: Document) -> Layout:
    """Numbered paragraphs as entries: "2.1. ...", "п. 2.1 ...", "2.1-чара ...", and the same
    after an ordinal ("1. Мероприятие № 15.2 ...", "3) 9.2-чара боюнча: ..."). An entry runs
    on over the paragraphs after it — its text, sub-items ("а) ...", "• ...", "1) ..." under
    "1."), a status line — until the next point of its list, a section or a closing line
    (signature, annex, executor). A point of the same list that names no measure but says
    something is an entry without a number (linked by its text, else reviewed); a letter
    whose points name no measure at all has every point as such an entry."""
    table_lines = [_line(r) for table in doc.tables for r in table.rows if _line(r)]
    for with_numbers in (True, False):
        entries, lines = _numbered_entries(doc, with_numbers)
        if entries:
            break
    return Layout(tuple(entries), tuple(lines + table_lines), False)


def _numbered_entries(doc: Document, with_numbers: bool) -> tuple[list[RawEntry], list[str]]:
    entries: list[RawEntry] = []
    lines: list[str] = []
    style: str | None = None  # the open entry's ordinal style; None: no entry is open
    for paragraph in doc.paragraphs:
        start = entry_start(paragraph.text)
        point = _is_point(start)
        next_point = point and start.style == style  # the open entry's list goes on
        says = point and len(start.rest.split()) >= MIN_TEXT_WORDS
        if (start and start.ref) or (point and (not with_numbers or (next_point and says))):
            entries.append(
                RawEntry(ref=start.ref or "", progress=start.rest, location=paragraph.location)
            )
            style = start.style
        elif style is not None and not _ends_entry(start, next_point, paragraph.text):
            entries[-1] = merge_entries(entries[-1], RawEntry(progress=paragraph.text.strip()))
        else:
            lines.append(paragraph.text)
            style = None
    return entries, lines


def _ends_entry(start: EntryStart | None, next_point: bool, text: str) -> bool:
    """The next point of the entry's list, a section ("II. …") or a closing line."""
    return next_point or (_is_point(start) and start.ordinal == "roman") or is_closing(text)


def _is_point(start: EntryStart | None) -> bool:
    """A point of the letter's own list (an arabic or roman ordinal) naming no measure."""
    return bool(start) and not start.ref and start.ordinal in TOP_LEVEL_ORDINALS


def _line(row: tuple[str, ...]) -> str:
    return " ".join(c for c in row if c).strip()
