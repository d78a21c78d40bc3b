"""The Measures sheet: the plan's catalogue, codes in words."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.workbook.sheet import Ctx, titled_table, word_col
from outputs.workbook.style import Column, plain, yes_no

HIDDEN = ("plan_id", "checkpoints")  # ids and machine lists: in the datasets, not here


def agencies_text(ctx: Ctx, codes: object) -> object:
    if not isinstance(codes, str) or not codes:
        return codes
    return "; ".join(str(ctx.agency(c.strip())) for c in codes.split(";"))


def write_measures(ws: Worksheet, ctx: Ctx) -> None:
    columns = []
    for key in ctx.result.measures.columns:
        if key in HIDDEN:
            continue
        if key == "recurrence":
            columns.append(word_col(ctx, key, "recurrence"))
        elif key == "deadline_confident":
            columns.append(Column(key, yes_no(ctx.labels, key)))
        elif key in ("agencies", "partners"):
            columns.append(Column(key, lambda r, k=key: agencies_text(ctx, plain(r[k]))))
        elif key == "source":
            columns.append(Column(key, lambda r: ctx.labels.location(plain(r["source"]))))
        else:
            columns.append(Column(key))
    titled_table(ws, ctx, ctx.labels.sheet("measures"), None, ctx.result.measures, columns)
