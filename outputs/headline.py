"""The headline counts in words a staff member understands, in the workbook's language.

Measures and (measure, agency) pairs are different counts: each sentence says which it is.
Used by the Summary sheet, `planwatch report` and the nightly run's closing lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from outputs.labels import Labels


def headline_sentences(figures: Mapping[str, Any], labels: Labels) -> list[str]:
    f = figures
    return [
        labels.text("headline_measures", n=f["measures_overdue"], total=f["measures"]),
        labels.text(
            "headline_reported_not_done",
            pairs=f["overdue_reported_not_done"],
            measures=f["measures_overdue_reported_not_done"],
        ),
        labels.text(
            "headline_no_information",
            pairs=f["overdue_no_information"],
            measures=f["measures_overdue_no_information"],
        ),
        labels.text("headline_coordinator", pairs=f["coordinator_overdue"]),
        labels.text(
            "headline_reports",
            expected=f["expected"],
            received=f["received"],
            missing=f["missing_reports"],
        ),
    ]
