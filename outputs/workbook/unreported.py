"""Pairs with half-years the agency did not report on, that are not already overdue."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.views import unreported_rows
from outputs.workbook.sheet import (
    Ctx,
    agency_col,
    evidence_col,
    period_col,
    periods_col,
    status_col,
    titled_table,
)
from outputs.workbook.style import Column


def unreported_columns(ctx: Ctx, with_agency: bool = True) -> list[Column]:
    return [
        *([agency_col(ctx)] if with_agency else []),
        Column("measure_id"),
        Column("measure_text"),
        periods_col(ctx, "missing_periods"),
        status_col(ctx),
        period_col(ctx, "latest_period"),
        Column("progress_text"),
        Column("deadline_raw"),
        evidence_col(ctx),
    ]


def write_unreported(ws: Worksheet, ctx: Ctx) -> None:
    titled_table(
        ws,
        ctx,
        ctx.labels.sheet("unreported"),
        ctx.labels.text("action_unreported"),
        unreported_rows(ctx.result),
        unreported_columns(ctx),
    )
