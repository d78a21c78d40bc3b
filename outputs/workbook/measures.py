"""The Measures sheet: the plan's catalogue."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import Column, translated, write_table, yes_no


def write_measures(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    columns = [
        Column("recurrence", translated(labels, "recurrence", "recurrence"))
        if key == "recurrence"
        else Column("deadline_confident", yes_no(labels, "deadline_confident"))
        if key == "deadline_confident"
        else Column(key)
        for key in result.measures.columns
    ]
    write_table(ws, result.measures, columns, labels)
