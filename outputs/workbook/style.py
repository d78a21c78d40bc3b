"""Shared styling of every sheet: fills, fonts, the one cell writer `put` (text from decrees
and reports is always inert: openpyxl turns a string starting with "=" into a live formula,
so such strings, and "+", "-", "@", tab, CR, are forced to string cells with Excel's quote
prefix), and `write_table`, a header row plus one row per record."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.escape import for_xlsx
from outputs.datasets import write_atomic
from outputs.labels import Labels

DATE_FORMAT = "dd.mm.yyyy"  # how dates are written in Kyrgyzstan, in both languages
RATE_FORMAT = "0%"
RED = PatternFill("solid", fgColor="FFC7CE")
AMBER = PatternFill("solid", fgColor="FFEB9C")
GREEN = PatternFill("solid", fgColor="C6EFCE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
MIN_WIDTH, MAX_WIDTH, WIDE_WIDTH = 8, 30, 45
GREY = PatternFill(
    "solid", fgColor="EDEDED"
)  # not expected / not due: no colour that means something
THIN = Border(*(Side(style="thin", color="A6A6A6") for _ in range(4)))  # table cells
LINK_FONT = Font(color="0563C1", underline="single")


WIDE_COLUMNS = {
    "reports_received",
    "agency_name",
    "quote",
    "measure_text",
    "text",
    "task_text",
    "progress_text",
    "detail",
    "evidence",
    "expected_result",
    "indicator",
    "baseline",
    "responsible_raw",
    "chapter",
}


Record = Mapping[str, Any]  # one DataFrame row, as a dict


STATUS_FILLS = {"completed": GREEN, "in_progress": AMBER}


STATE_FILLS = {"on_time": GREEN, "late": AMBER, "missing": RED}


def plain(value: Any) -> Any:
    """A DataFrame value as an openpyxl value: NA -> empty, numpy -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def put(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    number_format: str | None = None,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    border: Border | None = None,
) -> Cell:
    """Write one cell; strings are never formulas."""
    value = plain(value)
    cell = ws.cell(row=row, column=col)
    quote = False
    if isinstance(value, str):
        safe = for_xlsx(value)  # core.escape: XML-illegal characters dropped; formula-like?
        value, quote = safe.text, safe.quote
        cell.value = value
        if quote:
            cell.data_type = "s"  # openpyxl made it "f" for a leading "="
    else:
        cell.value = value
    if isinstance(value, date | datetime):
        number_format = DATE_FORMAT
    style(cell, number_format, font, fill, alignment, quote, border)
    return cell


def style(
    cell: Cell,
    number_format: str | None,
    font: Font | None,
    fill: PatternFill | None,
    alignment: Alignment | None,
    quote: bool,
    border: Border | None = None,
) -> None:
    """Apply a style, reusing the workbook's style record for a combination seen before
    (assigning style objects cell by cell hashes them every time: slow on big sheets)."""
    if not (number_format or font or fill or alignment or quote or border):
        return
    wb = cell.parent.parent
    cache = wb.__dict__.setdefault("_planwatch_styles", {})
    key = (number_format, id(font), id(fill), id(alignment), quote, id(border))
    if key in cache:
        cell._style = copy(cache[key])
        return
    if number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if quote:
        cell.quotePrefix = True
    if border is not None:
        cell.border = border
    cache[key] = copy(cell._style)


@dataclass(frozen=True)
class Column:
    key: str  # header label key, and the DataFrame column unless `value` says otherwise
    value: Callable[[Record], Any] | None = None
    number_format: str | None = None
    fill: Callable[[Record], PatternFill | None] | None = None
    link: Callable[[Record], str | None] | None = None  # a relative hyperlink target


def write_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    labels: Labels,
    first_row: int = 1,
    *,
    freeze: bool = True,
    auto_filter: bool = True,
) -> int:
    """A header row and one row per frame row; returns the next free row."""
    for c, col in enumerate(columns, start=1):
        put(
            ws,
            first_row,
            c,
            labels.header(col.key),
            font=BOLD,
            fill=HEADER_FILL,
            alignment=WRAP,
            border=THIN,
        )
    r = first_row
    for r, record in enumerate(frame.to_dict("records"), start=first_row + 1):
        for c, col in enumerate(columns, start=1):
            target = col.link(record) if col.link else None
            cell = put(
                ws,
                r,
                c,
                col.value(record) if col.value else record[col.key],
                col.number_format,
                font=LINK_FONT if target else None,
                fill=col.fill(record) if col.fill else None,
                alignment=WRAP if col.key in WIDE_COLUMNS else TOP,
                border=THIN,
            )
            if target:
                cell.hyperlink = target
    last = max(r, first_row)
    if freeze:
        ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if auto_filter and columns:
        ws.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{last}"
    set_widths(ws, frame, columns, labels)
    return last + 1


def set_widths(
    ws: Worksheet, frame: pd.DataFrame, columns: Sequence[Column], labels: Labels
) -> None:
    for c, col in enumerate(columns, start=1):
        letter = get_column_letter(c)
        if col.key in WIDE_COLUMNS:
            width = WIDE_WIDTH
        else:
            sample = frame[col.key].head(200) if col.key in frame and not col.value else []
            longest = max(
                [len(str(v)) for v in sample if plain(v) is not None]
                + [len(labels.header(col.key)) // 2, 0]
            )
            width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)


def status_fill(record: Record) -> PatternFill | None:
    """Red for overdue, amber for in progress, green for completed."""
    if bool(record.get("overdue", False)):
        return RED
    return STATUS_FILLS.get(record["status"])


def yes_no(labels: Labels, key: str) -> Callable[[Record], str]:
    return lambda r: labels.text("yes" if bool(r[key]) else "no")


def translated(labels: Labels, group: str, key: str) -> Callable[[Record], Any]:
    return lambda r: labels.maybe(group, plain(r[key]))


def red_if_any(key: str) -> Callable[[Record], PatternFill | None]:
    return lambda r: RED if r[key] else None


def save(wb: Workbook, path: Path) -> Path:
    """Atomic: a same-day rerun replaces the file in one step; other days' files stay."""
    return write_atomic(path, lambda tmp: wb.save(tmp))


# --------------------------------------------------------------------------- printing

LINE_HEIGHT = 15  # points per wrapped line (Calibri 11)
MAX_ROW_HEIGHT = 409  # Excel's limit
CHAR_WIDTH = 1.0  # characters of Cyrillic text per unit of column width, roughly


def print_ready(ws: Worksheet, labels: Labels, plan: str, as_of: date, title_rows: str) -> None:
    """Landscape A4, one page wide, `title_rows` ("4:4") repeated on every page, footer
    with the plan, the page number and the as-of date."""
    page_setup(ws, title_rows, plan, labels.text("page_footer"), labels.as_of(as_of))


def page_setup(ws: Worksheet, title_rows: str, left: str, center: str, right: str) -> None:
    """Landscape A4, as many pages down as needed but one page wide, `title_rows` on
    every page, a footer (left, center, right; "&P"/"&N" are page number and count)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False  # tables have borders; gridlines fill the page
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = left.replace("&", "&&")[:80]
    ws.oddFooter.left.size = 8
    ws.oddFooter.center.text = center
    ws.oddFooter.right.text = right.replace("&", "&&")
    ws.oddFooter.right.size = 8


def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes in a column `width` characters wide, wrapping at spaces."""
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0
        for word in part.split(" "):
            need = len(word) + (1 if used else 0)
            if used and used + need > width:
                lines += 1
                used = len(word)
            else:
                used += need
            while used > width:  # a word longer than the column breaks anywhere
                lines += 1
                used -= width
    return lines


def fit_row_heights(ws: Worksheet, first_row: int = 1) -> None:
    """Row heights for wrapped text (LibreOffice does not grow rows when it opens a file)."""
    widths = {letter: dim.width or MIN_WIDTH for letter, dim in ws.column_dimensions.items()}
    merged = {(r, c) for cells in ws.merged_cells.ranges for r, c in cells.cells}  # by hand
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if (
                isinstance(cell.value, str)
                and cell.alignment.wrap_text
                and (cell.row, cell.column) not in merged
            ):
                chars = max(1, int(widths.get(cell.column_letter, MIN_WIDTH) * CHAR_WIDTH))
                lines = max(lines, wrapped_lines(cell.value, chars))
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT)
