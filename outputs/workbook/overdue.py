"""The two overdue lists, each with its own action, and the coordinator's own measures.

`reported_not_done`: the agency itself reported the measure unfinished past its deadline
(escalate). `no_information`: the agency said nothing about it (ask for information); the
row shows which of the agency's reports arrived for those half-years, none mentioning it.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance_summary import NO_INFORMATION, REPORTED_NOT_DONE
from outputs.views import coordinator_rows, overdue_rows
from outputs.workbook.sheet import (
    Ctx,
    agency_col,
    days_col,
    evidence_col,
    periods_col,
    received_col,
    status_col,
    titled_table,
    word_col,
)
from outputs.workbook.style import Column


def reported_columns(ctx: Ctx, with_agency: bool = True) -> list[Column]:
    return [
        *([agency_col(ctx)] if with_agency else []),
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_end"),
        days_col(),
        status_col(ctx),
        periods_col(ctx, "latest_period"),
        Column("progress_text"),
        evidence_col(ctx),
    ]


def no_information_columns(ctx: Ctx, with_agency: bool = True) -> list[Column]:
    return [
        *([agency_col(ctx)] if with_agency else []),
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_end"),
        days_col(),
        periods_col(ctx, "missing_periods"),
        received_col(ctx),
    ]


def write_reported_not_done(ws: Worksheet, ctx: Ctx) -> None:
    titled_table(
        ws,
        ctx,
        ctx.labels.sheet(REPORTED_NOT_DONE),
        ctx.labels.text("action_reported_not_done"),
        overdue_rows(ctx.result, REPORTED_NOT_DONE),
        reported_columns(ctx),
    )


def write_no_information(ws: Worksheet, ctx: Ctx) -> None:
    titled_table(
        ws,
        ctx,
        ctx.labels.sheet(NO_INFORMATION),
        ctx.labels.text("action_no_information"),
        overdue_rows(ctx.result, NO_INFORMATION),
        no_information_columns(ctx),
    )


def write_coordinator(ws: Worksheet, ctx: Ctx) -> None:
    columns = [
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_end"),
        word_col(ctx, "overdue_kind", "overdue_kinds"),
        days_col(),
        status_col(ctx),
        periods_col(ctx, "missing_periods"),
        evidence_col(ctx),
    ]
    title = f"{ctx.labels.sheet('coordinator')}: {ctx.agency_full(ctx.result.coordinator)}"
    titled_table(
        ws, ctx, title, ctx.labels.text("action_coordinator"), coordinator_rows(ctx.result), columns
    )
