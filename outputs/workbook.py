"""The overdue-measures workbook ЭСӨМ staff open every morning, built with openpyxl.

Sheets: Summary, Overdue, Unreported, Submissions, Review, Measures (names and headers
from `outputs/data/labels.yaml`, Kyrgyz by default). Every cell goes through `put`, which
writes text from decrees and reports as inert text: openpyxl turns any string starting
with "=" into a live formula, so such strings (and "+", "-", "@", tab, CR) are forced to
string cells with Excel's quote prefix and are shown verbatim.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.datasets import DANGEROUS_PREFIXES, write_atomic
from outputs.labels import DEFAULT_LANG, Labels, load_labels

WORKBOOK_NAME = "overdue-{as_of}.xlsx"
AGENCY_DIR = "agencies"
AGENCY_WORKBOOK_NAME = "overdue-{as_of}-{agency}.xlsx"
AGENCY_TABLE_ROW = 4  # per-agency sheets: agency and as-of date above the table
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0%"
RED = PatternFill("solid", fgColor="FFC7CE")
AMBER = PatternFill("solid", fgColor="FFEB9C")
GREEN = PatternFill("solid", fgColor="C6EFCE")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
MIN_WIDTH, MAX_WIDTH, WIDE_WIDTH = 8, 40, 60
# Long free-text columns: wide and wrapped.
WIDE_COLUMNS = {
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


# --------------------------------------------------------------------------- cells


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
) -> Cell:
    """Write one cell; strings are never formulas."""
    value = plain(value)
    cell = ws.cell(row=row, column=col)
    quote = False
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML cannot carry these control bytes
        cell.value = value
        if value.startswith(DANGEROUS_PREFIXES):
            cell.data_type = "s"  # openpyxl made it "f" for a leading "="
            quote = True
    else:
        cell.value = value
    if isinstance(value, date | datetime):
        number_format = DATE_FORMAT
    style(cell, number_format, font, fill, alignment, quote)
    return cell


def style(
    cell: Cell,
    number_format: str | None,
    font: Font | None,
    fill: PatternFill | None,
    alignment: Alignment | None,
    quote: bool,
) -> None:
    """Apply a style, reusing the workbook's style record for a combination seen before
    (assigning style objects cell by cell hashes them every time: slow on big sheets)."""
    if not (number_format or font or fill or alignment or quote):
        return
    wb = cell.parent.parent
    cache = wb.__dict__.setdefault("_planwatch_styles", {})
    key = (number_format, id(font), id(fill), id(alignment), quote)
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
    cache[key] = copy(cell._style)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Column:
    key: str  # header label key, and the DataFrame column unless `value` says otherwise
    value: Callable[[Record], Any] | None = None
    number_format: str | None = None
    fill: Callable[[Record], PatternFill | None] | None = None


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
        put(ws, first_row, c, labels.header(col.key), font=BOLD, fill=HEADER_FILL, alignment=WRAP)
    r = first_row
    for r, record in enumerate(frame.to_dict("records"), start=first_row + 1):
        for c, col in enumerate(columns, start=1):
            put(
                ws,
                r,
                c,
                col.value(record) if col.value else record[col.key],
                col.number_format,
                fill=col.fill(record) if col.fill else None,
                alignment=WRAP if col.key in WIDE_COLUMNS else TOP,
            )
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


# --------------------------------------------------------------------------- value helpers


def status_fill(record: Record) -> PatternFill | None:
    """Red for overdue, amber for in progress, green for completed."""
    if bool(record.get("overdue", False)):
        return RED
    return STATUS_FILLS.get(record["status"])


def submission_state(record: Record, as_of: date) -> str:
    if plain(record["received_date"]) is not None:
        return "on_time" if record["on_time"] else "late"
    if record["expected"]:
        return "missing"
    return "not_due" if record["due_date"] > as_of else "not_expected"


def yes_no(labels: Labels, key: str) -> Callable[[Record], str]:
    return lambda r: labels.text("yes" if bool(r[key]) else "no")


def translated(labels: Labels, group: str, key: str) -> Callable[[Record], Any]:
    return lambda r: labels.maybe(group, plain(r[key]))


# --------------------------------------------------------------------------- sheets


def overdue_frame(result: ComplianceResult, agency: str | None = None) -> pd.DataFrame:
    df = result.compliance
    df = df[df["obligated"] & df["overdue"]]
    if agency is not None:
        df = df[df["agency"] == agency]
    return df.sort_values(
        ["days_overdue", "agency", "measure_id"], ascending=[False, True, True], kind="stable"
    )


def unreported_frame(result: ComplianceResult, agency: str | None = None) -> pd.DataFrame:
    df = result.compliance
    df = df[df["obligated"] & (df["periods_missing"] > 0)]
    if agency is not None:
        df = df[df["agency"] == agency]
    return df.sort_values(["agency", "periods_missing"], ascending=[True, False], kind="stable")


def overdue_columns(labels: Labels) -> list[Column]:
    return [
        Column("agency"),
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_start"),
        Column("deadline_end"),
        Column("recurrence", translated(labels, "recurrence", "recurrence")),
        Column("earliest_unmet_checkpoint"),
        Column("days_overdue", fill=lambda r: RED),
        Column("status", translated(labels, "statuses", "status"), fill=status_fill),
        Column("latest_period"),
        Column("progress_text"),
        Column("evidence"),
    ]


def unreported_columns(labels: Labels) -> list[Column]:
    return [
        Column("agency"),
        Column("measure_id"),
        Column("measure_text"),
        Column("missing_periods"),
        Column("periods_missing"),
        Column(
            "unreported",
            yes_no(labels, "unreported"),
            fill=lambda r: RED if r["unreported"] else None,
        ),
        Column("status", translated(labels, "statuses", "status"), fill=status_fill),
        Column("latest_period"),
        Column("progress_text"),
        Column("deadline_raw"),
        Column("evidence"),
    ]


def write_overdue(
    ws: Worksheet,
    result: ComplianceResult,
    labels: Labels,
    agency: str | None = None,
    first_row: int = 1,
) -> None:
    frame = overdue_frame(result, agency)
    write_table(ws, frame, overdue_columns(labels), labels, first_row)


def write_unreported(
    ws: Worksheet,
    result: ComplianceResult,
    labels: Labels,
    agency: str | None = None,
    first_row: int = 1,
) -> None:
    frame = unreported_frame(result, agency)
    write_table(ws, frame, unreported_columns(labels), labels, first_row)


def write_submissions(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    def state(r: Record) -> str:
        return submission_state(r, result.as_of)

    columns = [
        Column("agency"),
        Column("period"),
        Column("due_date"),
        Column(
            "state",
            lambda r: labels.word("states", state(r)),
            fill=lambda r: STATE_FILLS.get(state(r)),
        ),
        Column("received_date"),
        Column("received_source", translated(labels, "sources", "received_source")),
        Column("report_file"),
        Column("measures_expected"),
        Column("measures_reported"),
    ]
    write_table(ws, result.submissions, columns, labels)


def write_review(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    columns = [Column("kind", translated(labels, "review_kinds", "kind"))] + [
        Column(k)
        for k in ("file", "location", "plan_id", "measure_id", "agency", "period", "detail")
    ]
    write_table(ws, result.review, columns, labels)


def write_measures(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    columns = [
        Column("recurrence", translated(labels, "recurrence", "recurrence"))
        if key == "recurrence"
        else Column("deadline_confident", yes_no(labels, "deadline_confident"))
        if key == "deadline_confident"
        else Column(key)
        for key in result.measures.columns
    ]
    write_table(ws, result.measures, columns, labels)


def write_summary(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    """Title and as-of date, per-agency table with totals and chart, per-chapter table,
    colour legend, the files behind the figures."""
    put(ws, 1, 1, labels.text("title"), font=TITLE_FONT)
    put(ws, 2, 1, labels.text("as_of"), font=BOLD)
    put(ws, 2, 2, result.as_of)
    ws.freeze_panes = "A4"
    row = summary_agencies(ws, result, labels, 4)
    row = summary_chapters(ws, result, labels, row + 2)
    summary_legend_and_files(ws, result, labels, row + 1)


def red_if_any(key: str) -> Callable[[Record], PatternFill | None]:
    return lambda r: RED if r[key] else None


AGENCY_SUMMARY = [
    Column("agency"),
    Column("measures"),
    Column("overdue", fill=red_if_any("overdue")),
    Column("unreported", fill=red_if_any("unreported")),
    Column("expected"),
    Column("received"),
    Column("on_time"),
    Column("reporting_rate", number_format=RATE_FORMAT),
    Column("on_time_rate", number_format=RATE_FORMAT),
]
TOTALS = ("obligated_rows", "overdue", "unreported", "expected", "received", "on_time")
CHAPTER_SUMMARY = [
    *(Column(k) for k in ("plan_id", "chapter_no", "chapter", "measures", "measures_overdue")),
    Column("overdue", fill=red_if_any("overdue")),
    Column("unreported"),
]


def summary_agencies(ws: Worksheet, result: ComplianceResult, labels: Labels, row: int) -> int:
    """The per-agency table, a total line and the bar chart; returns the total line's row."""
    put(ws, row, 1, labels.text("per_agency"), font=BOLD)
    table_top = row + 1
    row = write_table(ws, result.agencies, AGENCY_SUMMARY, labels, table_top, freeze=False)
    f = result.figures
    put(ws, row, 1, labels.text("overall"), font=BOLD)
    for c, key in enumerate(TOTALS, start=2):
        put(ws, row, c, f.get(key), font=BOLD)
    for c, key in enumerate(("reporting_rate", "on_time_rate"), start=2 + len(TOTALS)):
        put(ws, row, c, f.get(key), RATE_FORMAT, font=BOLD)
    if len(result.agencies):
        anchor = f"{get_column_letter(len(AGENCY_SUMMARY) + 2)}4"
        add_overdue_chart(ws, labels, table_top, len(result.agencies), anchor)
    return row


def summary_chapters(ws: Worksheet, result: ComplianceResult, labels: Labels, row: int) -> int:
    put(ws, row, 1, labels.text("per_chapter"), font=BOLD)
    return write_table(
        ws, result.chapters, CHAPTER_SUMMARY, labels, row + 1, freeze=False, auto_filter=False
    )


def summary_legend_and_files(
    ws: Worksheet, result: ComplianceResult, labels: Labels, row: int
) -> None:
    put(ws, row, 1, labels.text("legend"), font=BOLD)
    legend = ((RED, "legend_red"), (AMBER, "legend_amber"), (GREEN, "legend_green"))
    for offset, (fill, key) in enumerate(legend, 1):
        put(ws, row + offset, 1, "", fill=fill)
        put(ws, row + offset, 2, labels.text(key))
    row += len(legend) + 2
    put(ws, row, 1, labels.text("files"), font=BOLD)
    for offset, source in enumerate(result.sources, 1):
        put(ws, row + offset, 1, source)
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 24)


def add_overdue_chart(ws: Worksheet, labels: Labels, header_row: int, n: int, anchor: str) -> None:
    """Bar chart of overdue measures per agency, from the per-agency table."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = labels.text("chart_title")
    chart.legend = None
    chart.height = max(7.5, 0.6 * n)
    chart.width = 18
    data = Reference(ws, min_col=3, min_row=header_row, max_row=header_row + n)
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    ws.add_chart(chart, anchor)


# --------------------------------------------------------------------------- files


def agency_slug(agency: str) -> str:
    """A file-name-safe form of an agency code (Cyrillic letters kept)."""
    slug = re.sub(r"[^\w]+", "_", agency, flags=re.UNICODE).strip("_")
    return slug or "agency"


def save(wb: Workbook, path: Path) -> Path:
    """Atomic: a same-day rerun replaces the file in one step; other days' files stay."""
    return write_atomic(path, lambda tmp: wb.save(tmp))


def build_workbook(result: ComplianceResult, labels: Labels) -> Workbook:
    wb = Workbook()
    writers = (
        ("summary", write_summary),
        ("overdue", write_overdue),
        ("unreported", write_unreported),
        ("submissions", write_submissions),
        ("review", write_review),
        ("measures", write_measures),
    )
    for i, (key, writer) in enumerate(writers):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = labels.sheet(key)
        writer(ws, result, labels)
    return wb


def build_agency_workbook(result: ComplianceResult, labels: Labels, agency: str) -> Workbook:
    """Only this agency's overdue and unreported measures: an attachment to a reminder.
    Each sheet starts with the agency and the as-of date; the table follows on row 4."""
    wb = Workbook()
    overdue = wb.active
    overdue.title = labels.sheet("overdue")
    unreported = wb.create_sheet(labels.sheet("unreported"))
    for ws, writer in ((overdue, write_overdue), (unreported, write_unreported)):
        put(ws, 1, 1, labels.text("agency_title"), font=TITLE_FONT)
        put(ws, 1, 3, agency, font=TITLE_FONT)
        put(ws, 2, 1, labels.text("as_of"), font=BOLD)
        put(ws, 2, 3, result.as_of)
        writer(ws, result, labels, agency, AGENCY_TABLE_ROW)
    return wb


def agencies_to_remind(result: ComplianceResult) -> list[str]:
    df = result.compliance
    flagged = df[df["obligated"] & (df["overdue"] | (df["periods_missing"] > 0))]
    return sorted(set(flagged["agency"]))


def write_workbook(
    result: ComplianceResult, out_dir: Path, *, lang: str = DEFAULT_LANG, per_agency: bool = False
) -> list[Path]:
    """`overdue-<as_of>.xlsx` under `out_dir`; with `per_agency`, one small workbook per
    agency with something overdue or unreported under `out_dir/agencies/`."""
    out_dir = Path(out_dir)
    labels = load_labels(lang)
    as_of = result.as_of.isoformat()
    paths = [save(build_workbook(result, labels), out_dir / WORKBOOK_NAME.format(as_of=as_of))]
    if per_agency:
        paths += write_agency_workbooks(
            result, out_dir / AGENCY_DIR, labels, as_of, agencies_to_remind(result)
        )
    return paths


def write_agency_workbooks(
    result: ComplianceResult, folder: Path, labels: Labels, as_of: str, agencies: Iterable[str]
) -> list[Path]:
    paths, used = [], set()
    for agency in agencies:
        slug = agency_slug(agency)
        while slug in used:  # two codes that slug alike must not overwrite each other
            slug += "_"
        used.add(slug)
        name = AGENCY_WORKBOOK_NAME.format(as_of=as_of, agency=slug)
        paths.append(save(build_agency_workbook(result, labels, agency), folder / name))
    return paths
