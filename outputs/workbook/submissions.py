"""The Submissions sheet: one row per (agency, half-year), DHIS2-style states."""

from __future__ import annotations

from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from outputs.labels import Labels
from outputs.views import submission_states
from outputs.workbook.sheet import Ctx, agency_col, period_col, titled_table, word_col
from outputs.workbook.style import AMBER, GREEN, GREY, RED, Column, Record, plain

STATE_FILLS: dict[str, PatternFill] = {
    "on_time": GREEN,
    "late": AMBER,
    "unreadable": AMBER,
    "missing": RED,
    "not_due": GREY,
    "not_expected": GREY,
}


def state_text(labels: Labels, record: Record) -> str:
    if record["state"] == "late" and plain(record.get("days_late")):
        return labels.word("states", "late_days").format(days=plain(record["days_late"]))
    return labels.word("states", record["state"])


def write_submissions(ws: Worksheet, ctx: Ctx) -> None:
    columns = [
        agency_col(ctx),
        period_col(ctx, "period"),
        Column("due_date"),
        Column(
            "state",
            lambda r: state_text(ctx.labels, r),
            fill=lambda r: STATE_FILLS.get(r["state"]),
        ),
        Column("received_date"),
        word_col(ctx, "received_source", "sources"),
        Column("report_file", link=lambda r: ctx.link_to(plain(r["report_file"]))),
        Column("measures_expected"),
        Column("measures_reported"),
    ]
    states = submission_states(ctx.result)
    titled_table(ws, ctx, ctx.labels.sheet("submissions"), None, states, columns)
