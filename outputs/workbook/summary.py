"""The Summary sheet: title, per-agency and per-chapter tables, chart, legend, files."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import (
    AMBER,
    BOLD,
    GREEN,
    RATE_FORMAT,
    RED,
    TITLE_FONT,
    Column,
    put,
    red_if_any,
    write_table,
)


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
