"""The Submissions sheet: one row per (agency, half-year), DHIS2-style states."""

from __future__ import annotations

from datetime import date

from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import STATE_FILLS, Column, Record, plain, translated, write_table


def submission_state(record: Record, as_of: date) -> str:
    if plain(record["received_date"]) is not None:
        return "on_time" if record["on_time"] else "late"
    if record["expected"]:
        return "missing"
    return "not_due" if record["due_date"] > as_of else "not_expected"


def write_submissions(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    def state(r: Record) -> str:
        return submission_state(r, result.as_of)

    columns = [
        Column("agency"),
        Column("period"),
        Column("due_date"),
        Column(
            "state",
            lambda r: labels.word("states", state(r)),
            fill=lambda r: STATE_FILLS.get(state(r)),
        ),
        Column("received_date"),
        Column("received_source", translated(labels, "sources", "received_source")),
        Column("report_file"),
        Column("measures_expected"),
        Column("measures_reported"),
    ]
    write_table(ws, result.submissions, columns, labels)
