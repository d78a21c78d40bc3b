"""The Summary sheet, DHIS2-style: the plan's title and as-of date, the headline counts in
words, an agency x half-year grid of report states with reporting and on-time rates per row
and column, the agencies ranked by overdue measures (table and chart; the coordinator is
not ranked), the chapters, the colour legend and the files behind the figures."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from outputs.headline import headline_sentences
from outputs.views import grid, ranking, rates
from outputs.workbook.sheet import Ctx, finish
from outputs.workbook.style import (
    BOLD,
    GREY,
    HEADER_FILL,
    LINE_HEIGHT,
    RATE_FORMAT,
    RED,
    THIN,
    TITLE_FONT,
    TOP,
    WRAP,
    Column,
    put,
    write_table,
)
from outputs.workbook.submissions import STATE_FILLS, state_text

FIRST_WIDTH, GRID_WIDTH = 28, 14
SPAN = 9  # columns the headline sentences and notes are merged over
# Rates: red (0%) -> yellow (50%) -> green (100%), the same scale everywhere.
RATE_SCALE = dict(
    start_type="num",
    start_value=0,
    start_color="F8696B",
    mid_type="num",
    mid_value=0.5,
    mid_color="FFEB84",
    end_type="num",
    end_value=1,
    end_color="63BE7B",
)


def write_summary(ws: Worksheet, ctx: Ctx) -> None:
    labels, result = ctx.labels, ctx.result
    put(ws, 1, 1, ctx.plan_title, font=TITLE_FONT)
    put(ws, 2, 1, labels.as_of(result.as_of), font=BOLD)
    row = 4
    for sentence in headline_sentences(result.figures, labels):
        put(ws, row, 1, sentence, alignment=WRAP)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=SPAN)
        ws.row_dimensions[row].height = 2 * LINE_HEIGHT if len(sentence) > 110 else LINE_HEIGHT
        row += 1
    ranked = ranking(result, labels.sort_key)
    row = summary_grid(ws, ctx, list(ranked["agency"]), row + 1)
    row = summary_ranking(ws, ctx, ranked, row + 1)
    row = summary_chapters(ws, ctx, row + 1)
    summary_legend_and_files(ws, ctx, row + 1)
    ws.column_dimensions["A"].width = FIRST_WIDTH
    for c in range(2, SPAN + 2):
        ws.column_dimensions[get_column_letter(c)].width = GRID_WIDTH
    finish(ws, ctx, "")


def summary_grid(ws: Worksheet, ctx: Ctx, agencies: list[str], row: int) -> int:
    """Agencies (ranked order) x half-years: each cell a state; rates per row and column."""
    labels = ctx.labels
    states, periods = grid(ctx.result, agencies)
    put(ws, row, 1, labels.text("grid_title"), font=BOLD)
    header = row + 1
    heads = [labels.header("agency"), *map(labels.period, periods)]
    heads += [labels.header("reporting_rate"), labels.header("on_time_rate")]
    for c, text in enumerate(heads, start=1):
        put(ws, header, c, text, font=BOLD, fill=HEADER_FILL, alignment=WRAP, border=THIN)
    ws.row_dimensions[header].height = 45
    cells = {(r["agency"], r["period"]): r for r in states.to_dict("records")}
    by_agency, by_period = rates(states, "agency"), rates(states, "period")
    r = header
    for r, agency in enumerate(agencies, start=header + 1):
        put(ws, r, 1, ctx.agency(agency), alignment=TOP, border=THIN)
        for c, period in enumerate(periods, start=2):
            record = cells.get((agency, period))
            if record is None:
                put(ws, r, c, labels.word("states", "not_expected"), fill=GREY, border=THIN)
                continue
            fill = STATE_FILLS.get(record["state"])
            put(ws, r, c, grid_text(labels, record), fill=fill, alignment=WRAP, border=THIN)
        for c, key in enumerate(("reporting_rate", "on_time_rate"), start=len(periods) + 2):
            value = by_agency[key].get(agency) if agency in by_agency.index else None
            put(ws, r, c, value, RATE_FORMAT, border=THIN)
    total = r + 1
    put(ws, total, 1, labels.header("rate_row"), font=BOLD, border=THIN)
    for c, period in enumerate(periods, start=2):
        value = by_period["reporting_rate"].get(period) if period in by_period.index else None
        put(ws, total, c, value, RATE_FORMAT, font=BOLD, border=THIN)
    f = ctx.result.figures
    for c, key in enumerate(("reporting_rate", "on_time_rate"), start=len(periods) + 2):
        put(ws, total, c, f.get(key), RATE_FORMAT, font=BOLD, border=THIN)
    first_rate = get_column_letter(len(periods) + 2)
    last_rate = get_column_letter(len(periods) + 3)
    ws.conditional_formatting.add(
        f"{first_rate}{header + 1}:{last_rate}{total}", ColorScaleRule(**RATE_SCALE)
    )
    if periods:
        ws.conditional_formatting.add(
            f"B{total}:{get_column_letter(len(periods) + 1)}{total}", ColorScaleRule(**RATE_SCALE)
        )
    return total + 1


def grid_text(labels, record) -> str:
    """The state, and for a received report its completeness: measures it reported on /
    measures it had to report on (`5/7`)."""
    text = state_text(labels, record)
    if record["state"] in ("on_time", "late") and record["measures_expected"]:
        text += f" ({record['measures_reported']}/{record['measures_expected']})"
    return text


def summary_ranking(ws: Worksheet, ctx: Ctx, ranked, row: int) -> int:
    """Agencies by overdue (measure, agency) pairs, both kinds; a bar chart beside it."""
    labels = ctx.labels
    put(ws, row, 1, labels.text("per_agency"), font=BOLD)
    columns = [
        Column("agency", lambda r: ctx.agency(r["agency"])),
        Column("measures"),
        Column("overdue"),
        Column("overdue_reported_not_done"),
        Column("overdue_no_information"),
        Column("unreported"),
    ]
    top = row + 1
    after = write_table(ws, ranked, columns, labels, top, freeze=False, auto_filter=False)
    if len(ranked):
        ws.conditional_formatting.add(
            f"C{top + 1}:C{top + len(ranked)}",
            DataBarRule(start_type="num", start_value=0, end_type="max", color=RED.fgColor.rgb),
        )
        add_overdue_chart(ws, labels, top, len(ranked), f"A{after + 1}")
        after += max(15, int(len(ranked) * 1.2)) + 1  # rows the chart covers
    return after


def summary_chapters(ws: Worksheet, ctx: Ctx, row: int) -> int:
    labels = ctx.labels
    put(ws, row, 1, labels.text("per_chapter"), font=BOLD)
    columns = [
        Column("chapter", lambda r: f"{r['chapter_no']}. {r['chapter']}".strip(". ")),
        Column("measures"),
        Column("measures_overdue"),
        Column("overdue"),
        Column("unreported"),
    ]
    return write_table(
        ws, ctx.result.chapters, columns, labels, row + 1, freeze=False, auto_filter=False
    )


def summary_legend_and_files(ws: Worksheet, ctx: Ctx, row: int) -> None:
    labels = ctx.labels
    put(ws, row, 1, labels.text("legend"), font=BOLD)
    legend = [(STATE_FILLS[s], labels.word("states", s)) for s in ("on_time", "late", "missing")]
    legend += [(GREY, labels.word("states", "not_expected"))]
    for offset, (fill, text) in enumerate(legend, 1):
        put(ws, row + offset, 1, text, fill=fill)
    row += len(legend) + 2
    put(ws, row, 1, labels.text("files"), font=BOLD)
    for offset, source in enumerate(ctx.result.sources, 1):
        cell = put(ws, row + offset, 1, source)
        if target := ctx.link_to(source):
            cell.hyperlink = target


def add_overdue_chart(ws: Worksheet, labels, header_row: int, n: int, anchor: str) -> None:
    """Overdue pairs per agency, largest on top (the table is sorted by count)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = labels.text("chart_title")
    chart.legend = None
    chart.height = max(7.5, 0.55 * n)
    chart.width = 24
    chart.x_axis.scaling.orientation = "maxMin"  # the first row (most overdue) on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=3, min_row=header_row, max_row=header_row + n)
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    ws.add_chart(chart, anchor)
