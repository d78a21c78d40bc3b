"""Compliance: which measures are overdue and which agencies have not reported, as of a day.

A pure function of (plans, reports, as-of date, settings) -> DataFrames; no clock, no files.
The rules are issue 5's, in small steps:

    periods and due dates -> what the ledger showed on the as-of day (visible reports,
    superseding) -> entry facts per (measure, agency) -> completion -> active periods ->
    checkpoints -> status / overdue / unreported -> the submission view -> rates.

The rules live in `outputs.compliance_rules`, the Review rows in `outputs.compliance_review`;
this module assembles the rows, the submission view and the summaries. Every figure can be
traced to a row, and every row to the file and location behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from core.model import (
    Measure,
    Period,
    Plan,
    Recurrence,
    Report,
    Sighting,
    Status,
)
from outputs.compliance_review import (
    REVIEW_COLUMNS,
    duplicate_rows,
    plan_review_rows,
    report_review_rows,
)
from outputs.compliance_rules import (
    Fact,
    active_halves,
    agency_roles,
    checkpoints,
    completion_halves,
    counted,
    dates_text,
    deadline_unparsed,
    due_date,
    effective_reports,
    facts_by_measure_agency,
    facts_for,
    half_years,
    plan_years,
    received_on,
    recurrence_of,
    report_order,
    reported_halves,
    tracked,
    unmet_checkpoints,
    visible_reports,
)
from outputs.compliance_settings import ComplianceSettings
from outputs.compliance_summary import (
    NO_INFORMATION,
    REPORTED_NOT_DONE,
    agency_summary,
    chapter_summary,
    headline,
)
from outputs.successors import credit_successors

NO_REPORT = "no_report"

COMPLIANCE_COLUMNS: tuple[str, ...] = (
    # The contract's columns, in this order ...
    "plan_id",
    "measure_id",
    "agency",
    "obligated",
    "deadline_end",
    "recurrence",
    "status",
    "latest_period",
    "overdue",
    "days_overdue",
    "unreported",
    "periods_missing",
    "evidence",
    "overdue_kind",  # reported_not_done | no_information | "" (not overdue)
    # ... then what the workbook and a reader need to explain the row.
    "chapter_no",
    "measure_text",
    "deadline_raw",
    "deadline_start",
    "deadline_unparsed",
    "checkpoints",
    "earliest_unmet_checkpoint",
    "completed_period",
    "progress_text",
    "missing_periods",
    "periods_due",
)

SUBMISSION_COLUMNS: tuple[str, ...] = (
    "agency",
    "period",
    "due_date",
    "expected",
    "received_date",
    "received_source",
    "on_time",
    "report_file",
    "measures_expected",
    "measures_reported",
)

MEASURE_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "measure_id",
    "chapter_no",
    "goal_id",
    "task_no",
    "task_text",
    "text",
    "baseline",
    "indicator",
    "expected_result",
    "deadline_raw",
    "deadline_start",
    "deadline_end",
    "recurrence",
    "deadline_confident",
    "checkpoints",
    "responsible_raw",
    "agencies",
    "partners",
    "agencies_unresolved",
    "funding_raw",
    "source",
)


FILE_COLUMNS: tuple[str, ...] = (
    "file",
    "outcome",
    "reason",
    "agency",
    "period",
    "received_date",
    "stored_path",
    "entries",
)


@dataclass(frozen=True)
class ComplianceResult:
    """Everything the datasets and the workbook show, computed for one as-of day."""

    as_of: date
    compliance: pd.DataFrame
    submissions: pd.DataFrame
    review: pd.DataFrame
    measures: pd.DataFrame
    agencies: pd.DataFrame  # per-agency summary
    chapters: pd.DataFrame  # per-chapter summary
    figures: Mapping[str, Any] = field(default_factory=dict)  # headline counts and rates
    sources: tuple[str, ...] = ()  # the files behind the figures
    # Every file visible on the as-of day, any outcome (links to the archive, Review).
    files: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FILE_COLUMNS))
    plan_titles: Mapping[str, str] = field(default_factory=dict)  # plan_id -> title
    coordinator: str | None = None  # the coordinating ministry's code


# --------------------------------------------------------------------------- one row


def compliance_row(
    measure: Measure,
    agency: str,
    obligated: bool,
    facts: list[Fact],
    plan_halves: list[Period],
    years: tuple[int, int],
    as_of: date,
    settings: ComplianceSettings,
) -> tuple[dict[str, Any], list[Period]]:
    """The row for one (measure, agency) and the half-years it is active in."""
    deadline = measure.deadline
    recurrence = recurrence_of(deadline)
    completion = completion_halves(facts, recurrence)
    active = active_halves(deadline, plan_halves, completion)
    due_active = [h for h in active if due_date(h, settings) <= as_of and tracked(h, settings)]
    reported = reported_halves(facts)
    missing = [h for h in due_active if h not in reported]
    points = checkpoints(deadline, years, settings)
    unmet = unmet_checkpoints(deadline, points, facts, as_of)
    latest = facts[-1] if facts else None
    completed = [f for f in facts if f.status == Status.COMPLETED]
    # Once-type measures show their first completion; annual ones the latest year's.
    completion_fact = (
        (completed[-1] if recurrence == Recurrence.ANNUAL else completed[0]) if completed else None
    )
    overdue = obligated and bool(unmet)
    row = {
        "plan_id": measure.plan_id,
        "measure_id": measure.measure_id,
        "agency": agency,
        "obligated": obligated,
        "deadline_end": deadline.end if deadline else None,
        "recurrence": recurrence,
        "status": latest.status if latest else NO_REPORT,
        "latest_period": str(latest.period) if latest else None,
        "overdue": overdue,
        "days_overdue": (as_of - unmet[0]).days if overdue else None,
        "unreported": obligated and bool(due_active) and due_active[-1] not in reported,
        "periods_missing": len(missing) if obligated else 0,
        "evidence": latest.evidence if latest else "",
        "overdue_kind": (REPORTED_NOT_DONE if facts else NO_INFORMATION) if overdue else "",
        "chapter_no": measure.chapter_no,
        "measure_text": measure.text,
        "deadline_raw": measure.deadline_raw,
        "deadline_start": deadline.start if deadline else None,
        "deadline_unparsed": deadline_unparsed(deadline),
        "checkpoints": dates_text(points),
        "earliest_unmet_checkpoint": unmet[0] if unmet else None,
        "completed_period": str(completion_fact.period) if completion_fact else None,
        "progress_text": latest.progress_text if latest else "",
        "missing_periods": "; ".join(map(str, missing)) if obligated else "",
        "periods_due": len(due_active),
    }
    return row, active


# --------------------------------------------------------------------------- the plan rows


@dataclass
class _Rows:
    compliance: list[dict[str, Any]] = field(default_factory=list)
    # (agency, half) -> measures it must report on / did report on, for the submission view
    expected: dict[tuple[str, Period], int] = field(default_factory=lambda: defaultdict(int))
    reported: dict[tuple[str, Period], int] = field(default_factory=lambda: defaultdict(int))


def plan_rows(
    plan: Plan,
    facts: Mapping[tuple[str | None, str, str], list[Fact]],
    as_of: date,
    settings: ComplianceSettings,
    rows: _Rows,
) -> None:
    years = plan_years(plan, as_of)
    plan_halves = half_years(*years)
    for measure in sorted(plan.measures, key=lambda m: m.sort_key):
        for agency, obligated in agency_roles(measure, settings):
            if not obligated and not settings.include_partners:
                continue
            found = facts_for(facts, plan.plan_id, measure.measure_id, agency)
            row, active = compliance_row(
                measure, agency, obligated, found, plan_halves, years, as_of, settings
            )
            rows.compliance.append(row)
            if obligated:
                covered = reported_halves(found)
                for h in active:  # an untracked half keeps its row, with nothing expected
                    counts = tracked(h, settings)
                    rows.expected[(agency, h)] += counts
                    rows.reported[(agency, h)] += counts and h in covered


# --------------------------------------------------------------------------- submissions


def submission_rows(
    rows: _Rows, reports: list[Report], as_of: date, settings: ComplianceSettings
) -> list[dict[str, Any]]:
    """DHIS2-style: expected / received (earliest counted report) / on time, per agency and half."""
    first: dict[tuple[str, Period], Report] = {}
    for r in sorted(reports, key=lambda r: report_order(r, settings)):
        for h in r.period.halves():
            first.setdefault((r.agency, h), r)
    keys = set(rows.expected) | set(first)
    out = []
    for agency, half in sorted(keys, key=lambda k: (k[0], k[1])):
        due = due_date(half, settings)
        measures_expected = rows.expected.get((agency, half), 0)
        report = first.get((agency, half))
        received, source = received_on(report, settings) if report else (None, None)
        out.append(
            {
                "agency": agency,
                "period": str(half),
                "due_date": due,
                "expected": measures_expected > 0 and due <= as_of,
                "received_date": received,
                "received_source": source,
                "on_time": received is not None and received <= due,
                "report_file": report.file if report else None,
                "measures_expected": measures_expected,
                "measures_reported": rows.reported.get((agency, half), 0),
            }
        )
    return out


# --------------------------------------------------------------------------- plan catalogue


def measure_row(plan: Plan, m: Measure, settings: ComplianceSettings) -> dict[str, Any]:
    d = m.deadline
    roles = agency_roles(m, settings)
    return {
        "plan_id": plan.plan_id,
        "measure_id": m.measure_id,
        "chapter_no": m.chapter_no,
        "goal_id": m.goal_id,
        "task_no": m.task_no,
        "task_text": m.task_text,
        "text": m.text,
        "baseline": m.baseline,
        "indicator": m.indicator,
        "expected_result": m.expected_result,
        "deadline_raw": m.deadline_raw,
        "deadline_start": d.start if d else None,
        "deadline_end": d.end if d else None,
        "recurrence": recurrence_of(d),
        "deadline_confident": bool(d and d.confident),
        "checkpoints": dates_text(d.checkpoints) if d else "",
        "responsible_raw": m.responsible_raw,
        "agencies": "; ".join(c for c, o in roles if o),
        "partners": "; ".join(c for c, o in roles if not o),
        "agencies_unresolved": "; ".join(a.raw for a in m.agencies if a.code is None),
        "funding_raw": m.funding_raw,
        "source": str(m.provenance or ""),
    }


# --------------------------------------------------------------------------- entry point

# Column types that must hold also for an empty frame (filters on bool columns, sums).
COMPLIANCE_TYPES = {
    "obligated": "bool",
    "overdue": "bool",
    "unreported": "bool",
    "deadline_unparsed": "bool",
    "days_overdue": "Int64",
    "periods_missing": "int64",
    "periods_due": "int64",
    "chapter_no": "Int64",
}
SUBMISSION_TYPES = {
    "expected": "bool",
    "on_time": "bool",
    "measures_expected": "int64",
    "measures_reported": "int64",
}


def typed(frame: pd.DataFrame, types: Mapping[str, str]) -> pd.DataFrame:
    return frame.astype(dict(types))


def build_compliance(
    plans: list[Plan],
    reports: list[Report],
    as_of: date,
    settings: ComplianceSettings | None = None,
    sightings: Sequence[Sighting] = (),
) -> ComplianceResult:
    """Compliance as it looked on `as_of`: reports received after it do not exist yet.
    `sightings` (the ledger's every (bytes, name) seen) name the duplicate copies for Review.

    Two plans with the same plan_id (two versions of a decree in the ledger): the later one
    in `plans` is used. Rows: obligated (measure, agency) pairs in plan order, then partners.
    """
    settings = ComplianceSettings.resolve(settings)
    plans = sorted({p.plan_id: p for p in plans}.values(), key=lambda p: p.plan_id)
    visible = credit_successors(visible_reports(reports, as_of, settings), plans)
    usable = [r for r in visible if counted(r, settings)]
    effective, superseded = effective_reports(usable, settings)
    facts = facts_by_measure_agency(effective, settings)

    rows = _Rows()
    for plan in plans:
        plan_rows(plan, facts, as_of, settings, rows)
    compliance = typed(pd.DataFrame(rows.compliance, columns=COMPLIANCE_COLUMNS), COMPLIANCE_TYPES)
    compliance = compliance.sort_values(
        "obligated", ascending=False, kind="stable", ignore_index=True
    )
    submissions = typed(
        pd.DataFrame(submission_rows(rows, usable, as_of, settings), columns=SUBMISSION_COLUMNS),
        SUBMISSION_TYPES,
    )

    known = {(pid, m.measure_id) for p in plans for m in p.measures for pid in (p.plan_id, None)}
    review_rows = [r for p in plans for r in plan_review_rows(p, settings)]
    review_rows += report_review_rows(
        sorted(visible, key=lambda r: report_order(r, settings)), superseded, known, settings
    )
    review_rows += duplicate_rows(visible, sightings, as_of, settings)
    review = pd.DataFrame(review_rows, columns=REVIEW_COLUMNS)
    measures = pd.DataFrame(
        [
            measure_row(p, m, settings)
            for p in plans
            for m in sorted(p.measures, key=lambda m: m.sort_key)
        ],
        columns=MEASURE_COLUMNS,
    )
    sources = tuple(p.source for p in plans) + tuple(
        r.file for r in sorted(usable, key=lambda r: report_order(r, settings))
    )
    return ComplianceResult(
        as_of=as_of,
        compliance=compliance,
        submissions=submissions,
        review=review,
        measures=measures,
        agencies=agency_summary(compliance, submissions, settings.coordinator),
        chapters=chapter_summary(plans, compliance),
        figures=headline(plans, compliance, submissions, review, as_of, settings.coordinator),
        sources=sources,
        files=file_rows(visible, settings),
        plan_titles={p.plan_id: p.title for p in plans},
        coordinator=settings.coordinator,
    )


def file_rows(visible: list[Report], settings: ComplianceSettings) -> pd.DataFrame:
    rows = [
        {
            "file": r.file,
            "outcome": str(r.outcome),
            "reason": r.reason,
            "agency": r.agency,
            "period": str(r.period) if r.period else None,
            "received_date": received_on(r, settings)[0],
            "stored_path": r.stored_path,
            "entries": len(r.entries),
        }
        for r in sorted(visible, key=lambda r: report_order(r, settings))
    ]
    return pd.DataFrame(rows, columns=FILE_COLUMNS)
