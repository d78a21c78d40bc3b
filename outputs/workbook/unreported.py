"""The Unreported sheet: pairs with half-years the agency did not report on."""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import RED, Column, status_fill, translated, write_table, yes_no


def unreported_frame(result: ComplianceResult, agency: str | None = None) -> pd.DataFrame:
    df = result.compliance
    df = df[df["obligated"] & (df["periods_missing"] > 0)]
    if agency is not None:
        df = df[df["agency"] == agency]
    return df.sort_values(["agency", "periods_missing"], ascending=[True, False], kind="stable")


def unreported_columns(labels: Labels) -> list[Column]:
    return [
        Column("agency"),
        Column("measure_id"),
        Column("measure_text"),
        Column("missing_periods"),
        Column("periods_missing"),
        Column(
            "unreported",
            yes_no(labels, "unreported"),
            fill=lambda r: RED if r["unreported"] else None,
        ),
        Column("status", translated(labels, "statuses", "status"), fill=status_fill),
        Column("latest_period"),
        Column("progress_text"),
        Column("deadline_raw"),
        Column("evidence"),
    ]


def write_unreported(
    ws: Worksheet,
    result: ComplianceResult,
    labels: Labels,
    agency: str | None = None,
    first_row: int = 1,
) -> None:
    frame = unreported_frame(result, agency)
    write_table(ws, frame, unreported_columns(labels), labels, first_row)
