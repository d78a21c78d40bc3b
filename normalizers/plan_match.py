"""Which plan a report answers, when the ledger holds several (2018-2020 and a later one).

The report is read against each plan and the reading that fits best is kept:
1. a plan whose years contain the report's period (a 2023 report is not about 2018-2020);
2. then the entries that plan links with more confidence: a later plan restarts its
   numbering at 1.1, so numbers alone cannot tell — the agreement of the entry's words with
   the measure's text (part of each entry's confidence) can;
3. then the newer plan (a report with no period and no linked entry is most likely current).

With one plan (or none) this is exactly `read_report` against it.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.model import Document, LinkMethod, Plan, ReportReading
from normalizers.report_reading import read_report


def read_against_plans(
    doc: Document, plans: Sequence[Plan], file_name: str
) -> tuple[ReportReading, Plan | None]:
    """The best-fitting (reading, plan); (reading against None, None) with no plan."""
    if len(plans) <= 1:
        plan = plans[0] if plans else None
        return read_report(doc, plan, file_name), plan
    readings = [(read_report(doc, plan, file_name), plan) for plan in plans]
    return max(readings, key=lambda pair: fit(*pair))


def fit(reading: ReportReading, plan: Plan) -> tuple[bool, float, int]:
    """Sort key of how well `reading` fits `plan` (larger is better)."""
    return (covers(plan, reading), linked_confidence(reading, plan), plan_start(plan))


def covers(plan: Plan, reading: ReportReading) -> bool:
    """The plan's years contain the report's period (False when either is unknown)."""
    if reading.period is None or plan.years is None:
        return False
    first, last = plan.years
    return first <= reading.period.year <= last


def linked_confidence(reading: ReportReading, plan: Plan) -> float:
    """Summed confidence of the entries linked to a measure this plan has."""
    return sum(
        e.confidence
        for e in reading.entries
        if e.measure_id and e.link_method != LinkMethod.NONE and plan.measure(e.measure_id)
    )


def plan_start(plan: Plan) -> int:
    return plan.years[0] if plan.years else 0
