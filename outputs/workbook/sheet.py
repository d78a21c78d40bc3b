"""What every sheet shares: the context (result, words, where links point), the columns
that translate codes (agency, period, status, evidence) and a titled, printable table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from outputs.agency_names import full_name_today, short_name
from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import (
    BOLD,
    RED,
    TITLE_FONT,
    WRAP,
    Column,
    Record,
    fit_row_heights,
    plain,
    print_ready,
    put,
    status_fill,
    write_table,
)

TABLE_ROW = 4  # title on row 1, a note on row 2, the table's header on row 4


@dataclass(frozen=True)
class Ctx:
    """One workbook being written: the result, its words, and how far the file sits below
    the workdir (links to `archive/…` are relative: `../` from out/)."""

    result: ComplianceResult
    labels: Labels
    link_prefix: str = "../"
    extra: dict = field(default_factory=dict)

    @cached_property
    def plan_title(self) -> str:
        titles = [t or pid for pid, t in self.result.plan_titles.items()]
        return "; ".join(titles)

    @cached_property
    def archived(self) -> dict[str, str]:
        files = self.result.files
        return {f: p for f, p in zip(files["file"], files["stored_path"], strict=True) if p}

    def link_to(self, file: str | None) -> str | None:
        path = self.archived.get(file or "")
        return self.link_prefix + path if path else None

    def agency(self, code: Any) -> Any:
        return short_name(code, self.labels.lang)

    def agency_full(self, code: Any) -> Any:
        """The full name, with today's body beside it when it changed since the plan."""
        return full_name_today(code, self.labels.lang)


# --------------------------------------------------------------------------- columns


def agency_col(ctx: Ctx, key: str = "agency") -> Column:
    return Column(key, lambda r: ctx.agency(plain(r[key])))


def period_col(ctx: Ctx, key: str) -> Column:
    return Column(key, lambda r: ctx.labels.period(plain(r[key])))


def periods_col(ctx: Ctx, key: str) -> Column:
    return Column(key, lambda r: ctx.labels.periods(plain(r[key])))


def word_col(ctx: Ctx, key: str, group: str, fill=None) -> Column:
    return Column(key, lambda r: ctx.labels.maybe(group, plain(r[key])), fill=fill)


def status_col(ctx: Ctx) -> Column:
    return word_col(ctx, "status", "statuses", fill=status_fill)


def evidence_file(record: Record) -> str | None:
    text = plain(record.get("evidence"))
    return text.rpartition(": ")[0] or text if isinstance(text, str) and text else None


def evidence_col(ctx: Ctx) -> Column:
    """'file: sheet Отчет!row 13' in words, linked to the archived copy of the file."""
    return Column(
        "evidence",
        lambda r: ctx.labels.evidence(plain(r["evidence"])),
        link=lambda r: ctx.link_to(evidence_file(r)),
    )


def received_col(ctx: Ctx) -> Column:
    """No-information rows: the agency's reports for those half-years (first one linked)."""

    def first(r: Record) -> str | None:
        files = plain(r.get("reports_received")) or ""
        return ctx.link_to(files.split("; ")[0]) if files else None

    return Column("reports_received", link=first)


def days_col() -> Column:
    return Column("days_overdue", fill=lambda r: RED)


# --------------------------------------------------------------------------- sheets


def titled_table(
    ws: Worksheet,
    ctx: Ctx,
    title: str,
    note: str | None,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    first_row: int = TABLE_ROW,
) -> int:
    """Title and as-of date on row 1, a note (what to do) on row 2, the table below; the
    sheet printable. Returns the next free row."""
    put(ws, 1, 1, title, font=TITLE_FONT)
    put(ws, 1, max(3, len(columns) - 1), ctx.labels.as_of(ctx.result.as_of), font=BOLD)
    if note:
        put(ws, 2, 1, note, alignment=WRAP)
        if len(columns) > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
        ws.row_dimensions[2].height = 30
    after = write_table(ws, frame, columns, ctx.labels, first_row)
    finish(ws, ctx, f"{first_row}:{first_row}")
    return after


def finish(ws: Worksheet, ctx: Ctx, title_rows: str) -> None:
    fit_row_heights(ws, TABLE_ROW)
    print_ready(ws, ctx.labels, ctx.plan_title, ctx.result.as_of, title_rows)


Writer = Callable[[Worksheet, Ctx], None]
