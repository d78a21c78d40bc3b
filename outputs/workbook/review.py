"""The Review sheet: what a person must look at."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.style import Column, translated, write_table


def write_review(ws: Worksheet, result: ComplianceResult, labels: Labels) -> None:
    columns = [Column("kind", translated(labels, "review_kinds", "kind"))] + [
        Column(k)
        for k in ("file", "location", "plan_id", "measure_id", "agency", "period", "detail")
    ]
    write_table(ws, result.review, columns, labels)
