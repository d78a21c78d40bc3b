"""The Overdue sheet: obligated (measure, agency) pairs past a deadline."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import RED, Column, status_fill, translated, write_table


def overdue_frame(result: ComplianceResult, agency: str | None = None) -> pd.DataFrame:
    df = result.compliance
    df = df[df["obligated"] & df["overdue"]]
    if agency is not None:
        df = df[df["agency"] == agency]
    return df.sort_values(
        ["days_overdue", "agency", "measure_id"], ascending=[False, True, True], kind="stable"
    )


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


def write_overdue(
    ws: Worksheet,
    result: ComplianceResult,
    labels: Labels,
    agency: str | None = None,
    first_row: int = 1,
) -> None:
    frame = overdue_frame(result, agency)
    write_table(ws, frame, overdue_columns(labels), labels, first_row)
