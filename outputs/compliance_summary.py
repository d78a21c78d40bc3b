"""Summaries of the compliance rows: per agency, per chapter, and the headline figures.

Pure functions of the row frames; `outputs.compliance.build_compliance` calls them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from core.model import Plan

REPORTED_NOT_DONE = "reported_not_done"  # overdue; the agency's latest entry: not completed
NO_INFORMATION = "no_information"  # overdue; the agency said nothing about the measure
OVERDUE_KINDS = (REPORTED_NOT_DONE, NO_INFORMATION)

AGENCY_SUMMARY_COLUMNS: tuple[str, ...] = (
    "agency",
    "measures",
    "overdue",
    "unreported",
    "expected",
    "received",
    "on_time",
    "reporting_rate",
    "on_time_rate",
    # the two kinds of overdue, and whether the row is the coordinating ministry itself
    "overdue_reported_not_done",
    "overdue_no_information",
    "coordinator",
)

CHAPTER_SUMMARY_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "chapter_no",
    "chapter",
    "measures",
    "measures_overdue",
    "overdue",
    "unreported",
)


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def agency_summary(
    compliance: pd.DataFrame, submissions: pd.DataFrame, coordinator: str | None = None
) -> pd.DataFrame:
    ob = compliance[compliance["obligated"]].assign(
        **{kind: lambda d, k=kind: d["overdue_kind"] == k for kind in OVERDUE_KINDS}
    )
    exp = submissions[submissions["expected"]].assign(
        received=lambda d: d["received_date"].notna(), on_time=lambda d: d["on_time"].astype(int)
    )
    rows = ob.groupby("agency").agg(
        measures=("measure_id", "size"),
        overdue=("overdue", "sum"),
        unreported=("unreported", "sum"),
        overdue_reported_not_done=(REPORTED_NOT_DONE, "sum"),
        overdue_no_information=(NO_INFORMATION, "sum"),
    )
    subs = exp.groupby("agency").agg(
        expected=("period", "size"), received=("received", "sum"), on_time=("on_time", "sum")
    )
    table = rows.join(subs, how="outer").fillna(0).astype(int).reset_index()
    table["reporting_rate"] = [
        rate(r, e) for r, e in zip(table["received"], table["expected"], strict=True)
    ]
    table["on_time_rate"] = [
        rate(o, e) for o, e in zip(table["on_time"], table["expected"], strict=True)
    ]
    table["coordinator"] = table["agency"] == coordinator
    return table.reindex(columns=AGENCY_SUMMARY_COLUMNS)


def chapter_summary(plans: list[Plan], compliance: pd.DataFrame) -> pd.DataFrame:
    ob = compliance[compliance["obligated"]]
    rows = []
    for plan in plans:
        titles = {c.no: c.title for c in plan.chapters}
        numbers = sorted({m.chapter_no for m in plan.measures}, key=lambda n: (n is None, n or 0))
        for no in numbers:
            ids = {m.measure_id for m in plan.measures if m.chapter_no == no}
            mine = ob[(ob["plan_id"] == plan.plan_id) & ob["measure_id"].isin(ids)]
            rows.append(
                {
                    "plan_id": plan.plan_id,
                    "chapter_no": no,
                    "chapter": titles.get(no, ""),
                    "measures": len(ids),
                    "measures_overdue": mine.loc[mine["overdue"], "measure_id"].nunique(),
                    "overdue": int(mine["overdue"].sum()),
                    "unreported": int(mine["unreported"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=CHAPTER_SUMMARY_COLUMNS)


def headline(
    plans: list[Plan],
    compliance: pd.DataFrame,
    submissions: pd.DataFrame,
    review: pd.DataFrame,
    as_of: date,
    coordinator: str | None = None,
) -> dict[str, Any]:
    ob = compliance[compliance["obligated"]]
    exp = submissions[submissions["expected"]]
    received = int(exp["received_date"].notna().sum())
    on_time = int(exp["on_time"].sum())
    return {
        "as_of": as_of,
        "plans": len(plans),
        "measures": sum(len(p.measures) for p in plans),
        "obligated_rows": len(ob),
        "partner_rows": len(compliance) - len(ob),
        "overdue": int(ob["overdue"].sum()),
        "measures_overdue": ob.loc[ob["overdue"], ["plan_id", "measure_id"]]
        .drop_duplicates()
        .shape[0],
        "unreported": int(ob["unreported"].sum()),
        "agencies": ob["agency"].nunique(),
        "expected": len(exp),
        "received": received,
        "on_time": on_time,
        "reporting_rate": rate(received, len(exp)),
        "on_time_rate": rate(on_time, len(exp)),
        "review_items": len(review),
        **overdue_kind_figures(ob, coordinator),
        "missing_reports": len(exp) - received,
    }


def overdue_kind_figures(ob: pd.DataFrame, coordinator: str | None) -> dict[str, int]:
    """Per kind of overdue: (measure, agency) pairs and distinct measures; the same for the
    coordinating ministry's own rows, which the workbook shows apart from the agencies'."""
    out: dict[str, int] = {
        "coordinator_overdue": int((ob["overdue"] & (ob["agency"] == coordinator)).sum())
    }
    for kind in OVERDUE_KINDS:
        mine = ob[ob["overdue_kind"] == kind]
        out[f"overdue_{kind}"] = len(mine)
        out[f"measures_overdue_{kind}"] = mine[["plan_id", "measure_id"]].drop_duplicates().shape[0]
    return out
