"""The "What changed" sheet that opens the workbook: the changes since the last run, or a
line saying this is the first run."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from outputs.changes import CHANGE_COLUMNS, Since
from outputs.workbook.sheet import Ctx, agency_col, period_col, titled_table, word_col
from outputs.workbook.style import Column, plain


def value_in_words(ctx: Ctx, value: object) -> object:
    """A change's previous/current value: a status, an overdue kind, periods or a file."""
    value = plain(value)
    if not isinstance(value, str) or not value:
        return value
    for group in ("statuses", "overdue_kinds"):
        if value in ctx.labels.table[group]:
            return ctx.labels.word(group, value)
    return ctx.labels.periods(value)


def write_changes(ws: Worksheet, ctx: Ctx) -> None:
    since: Since | None = ctx.extra.get("since")
    labels = ctx.labels
    if since is None or since.first:
        note, frame = labels.text("first_run"), pd.DataFrame(columns=CHANGE_COLUMNS)
    else:
        when = since.previous_at.strftime("%d.%m.%Y %H:%M") if since.previous_at else ""
        note = labels.text("compared_with", date=labels.date(since.previous_as_of), when=when)
        frame = since.changes
        if frame.empty:
            note = f"{note} {labels.text('no_changes')}"

    def in_words(key: str):
        return lambda r: value_in_words(ctx, r[key])

    columns = [
        word_col(ctx, "change", "changes"),
        agency_col(ctx),
        Column("measure_id"),
        period_col(ctx, "period"),
        Column("previous", in_words("previous")),
        Column("current", in_words("current")),
    ]
    titled_table(ws, ctx, labels.sheet("changes"), note, frame, columns)
