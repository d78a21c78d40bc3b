"""The Review sheet (files first: what needs a person today) and the Plan notes sheet (the
decree's QA findings, once)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.views import plan_notes, review_rows
from outputs.workbook.sheet import Ctx, agency_col, period_col, titled_table, word_col
from outputs.workbook.style import Column, Record, plain

# Kinds whose reason is a reader's or rule's sentence in English, shown as a `reasons` text.
REASONED = ("rejected_file", "failed_file", "needs_review_file", "unattributed_report")


def detail(ctx: Ctx, r: Record) -> str:
    """The reason in words and the report's own text as written."""
    reason = plain(r["reason"]) or ""
    quote = plain(r["quote"]) or ""
    if r["kind"] in REASONED:
        return ctx.labels.reason(reason)
    if r["kind"] == "superseded_report":
        return f"{ctx.labels.word('reasons', 'superseded')} {quote}"
    if r["kind"] == "duplicate_file":
        return f"{ctx.labels.word('reasons', 'duplicate')} {quote}"
    return quote


def write_review(ws: Worksheet, ctx: Ctx) -> None:
    columns = [
        word_col(ctx, "kind", "review_kinds"),
        Column("file", link=lambda r: ctx.link_to(plain(r["file"]))),
        agency_col(ctx),
        period_col(ctx, "period"),
        Column("measure_id"),
        Column("location", lambda r: ctx.labels.location(plain(r["location"]))),
        Column("detail", lambda r: detail(ctx, r)),
    ]
    titled_table(ws, ctx, ctx.labels.sheet("review"), None, review_rows(ctx.result), columns)


def write_plan_notes(ws: Worksheet, ctx: Ctx) -> None:
    def finding(r: Record) -> str:
        if r["kind"] == "plan_finding":
            return ctx.labels.finding(plain(r["reason"]))
        return ctx.labels.word("review_kinds", r["kind"])

    columns = [
        Column("finding", finding),
        Column("measure_id"),
        Column("location", lambda r: ctx.labels.location(plain(r["location"]))),
        Column("quote"),
    ]
    titled_table(ws, ctx, ctx.labels.sheet("plan_notes"), None, plan_notes(ctx.result), columns)
