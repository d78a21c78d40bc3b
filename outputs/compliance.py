"""Compliance: which measures are overdue and which agencies have not reported, as of a day.

A pure function of (plans, reports, as-of date, settings) -> DataFrames; no clock, no files.
The rules are issue 5's, in small steps:

    periods and due dates -> what the ledger showed on the as-of day (visible reports,
    superseding) -> entry facts per (measure, agency) -> completion -> active periods ->
    checkpoints -> status / overdue / unreported -> the submission view -> rates.

Every figure can be traced to a row, and every row to the file and location behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from core.model import (
    DateSource,
    Deadline,
    LinkMethod,
    Measure,
    Period,
    Plan,
    Recurrence,
    Report,
    Status,
)
from outputs.compliance_settings import ComplianceSettings

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

REVIEW_COLUMNS: tuple[str, ...] = (
    "kind",
    "file",
    "location",
    "plan_id",
    "measure_id",
    "agency",
    "period",
    "detail",
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


# --------------------------------------------------------------------------- periods


def half_years(first_year: int, last_year: int) -> list[Period]:
    return [Period(y, h) for y in range(first_year, last_year + 1) for h in (1, 2)]


def due_date(period: Period, settings: ComplianceSettings) -> date:
    """Day `due_day` of the month `due_months_after` months after the period ends."""
    month_index = period.end.year * 12 + (period.end.month - 1) + settings.due_months_after
    return date(month_index // 12, month_index % 12 + 1, settings.due_day)


def plan_years(plan: Plan, as_of: date) -> tuple[int, int]:
    """The plan's years; without them, the years its deadlines span; else the as-of year."""
    if plan.years:
        return plan.years
    years = [
        d.year
        for m in plan.measures
        if m.deadline
        for d in (m.deadline.start, m.deadline.end)
        if d is not None
    ]
    return (min(years), max(years)) if years else (as_of.year, as_of.year)


# --------------------------------------------------------------------------- what D showed


def to_local_date(moment: datetime, settings: ComplianceSettings) -> date:
    """A ledger time (naive = UTC) as a date in the ministry's time zone."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(settings.timezone)).date()


def received_on(report: Report, settings: ComplianceSettings) -> tuple[date, str]:
    """The report's received date and its source; the ledger's first-seen time as last resort."""
    if report.received_date is not None:
        return report.received_date, str(report.received_source or DateSource.CONTENT)
    return to_local_date(report.first_seen, settings), str(DateSource.FIRST_SEEN)


def visible_reports(
    reports: Iterable[Report], as_of: date, settings: ComplianceSettings
) -> list[Report]:
    """Reports that existed on `as_of`: received on or before it (any outcome)."""
    return [r for r in reports if received_on(r, settings)[0] <= as_of]


def counted(report: Report, settings: ComplianceSettings) -> bool:
    """Does the file count: an accepted (or needs-review) report naming agency and period."""
    return (
        report.outcome in settings.counted_outcomes
        and report.agency is not None
        and report.period is not None
    )


def report_order(report: Report, settings: ComplianceSettings) -> tuple:
    """Received date first; the ledger's first-seen time and the hash break ties."""
    return (received_on(report, settings)[0], report.first_seen, report.sha256)


def effective_reports(
    reports: Iterable[Report], settings: ComplianceSettings
) -> tuple[list[Report], list[tuple[Report, Report]]]:
    """Within one (agency, period), the latest received report supersedes the others.

    Returns the effective reports and (superseded, superseded_by) pairs.
    """
    groups: dict[tuple, list[Report]] = defaultdict(list)
    for r in reports:
        groups[(r.agency, r.period, r.plan_id)].append(r)
    effective, superseded = [], []
    for group in groups.values():
        group.sort(key=lambda r: report_order(r, settings))
        effective.append(group[-1])
        superseded.extend((old, group[-1]) for old in group[:-1])
    effective.sort(key=lambda r: report_order(r, settings))
    return effective, superseded


# --------------------------------------------------------------------------- entry facts


@dataclass(frozen=True)
class Fact:
    """One linked entry of an effective report: what an agency said about a measure."""

    period: Period
    status: str
    progress_text: str
    file: str
    location: str
    order: tuple  # (period end, received date, first seen, position): later = newer

    @property
    def evidence(self) -> str:
        return f"{self.file}: {self.location}" if self.location else self.file


def is_linked(entry_measure_id: str | None, link_method: str) -> bool:
    return entry_measure_id is not None and link_method != LinkMethod.NONE


def facts_by_measure_agency(
    reports: Iterable[Report], settings: ComplianceSettings
) -> dict[tuple[str | None, str, str], list[Fact]]:
    """Facts keyed by (report plan_id, measure_id, agency), oldest first."""
    facts: dict[tuple[str | None, str, str], list[Fact]] = defaultdict(list)
    for r in reports:
        received = received_on(r, settings)[0]
        for position, e in enumerate(r.entries):
            if not is_linked(e.measure_id, e.link_method):
                continue
            order = (r.period.end, received, r.first_seen, r.sha256, position)
            fact = Fact(r.period, str(e.status), e.progress_text, r.file, e.location, order)
            facts[(r.plan_id, e.measure_id, r.agency)].append(fact)
    for found in facts.values():
        found.sort(key=lambda f: f.order)
    return facts


def facts_for(
    facts: Mapping[tuple[str | None, str, str], list[Fact]],
    plan_id: str,
    measure_id: str,
    agency: str,
) -> list[Fact]:
    """Facts from reports naming this plan, plus those naming no plan."""
    found = facts.get((plan_id, measure_id, agency), []) + facts.get((None, measure_id, agency), [])
    return sorted(found, key=lambda f: f.order)


def reported_halves(facts: Iterable[Fact]) -> set[Period]:
    return {h for f in facts for h in f.period.halves()}


# --------------------------------------------------------------------------- deadlines


def recurrence_of(deadline: Deadline | None) -> str:
    return str(deadline.recurrence) if deadline is not None else str(Recurrence.UNKNOWN)


def deadline_unparsed(deadline: Deadline | None) -> bool:
    """No usable reading: missing, `unknown`, or a `once` deadline without any date."""
    if deadline is None or deadline.recurrence == Recurrence.UNKNOWN:
        return True
    if deadline.recurrence == Recurrence.ONCE:
        return deadline.end is None and not deadline.checkpoints
    return False


def completion_halves(facts: list[Fact], recurrence: str) -> dict[int | None, Period]:
    """The half-year in which the measure was reported completed.

    Annual measures: per year (key = year), the earliest completing half of that year.
    Others: one key None, the earliest completing half. A report for a whole year
    completes in its second half.
    """
    done: dict[int | None, Period] = {}
    for f in facts:
        if f.status != Status.COMPLETED:
            continue
        half = f.period.halves()[-1]
        key = half.year if recurrence == Recurrence.ANNUAL else None
        if key not in done or half < done[key]:
            done[key] = half
    return done


def active_halves(
    deadline: Deadline | None,
    plan_halves: list[Period],
    completion: Mapping[int | None, Period],
) -> list[Period]:
    """The half-years in which the agency must report on the measure."""
    if deadline_unparsed(deadline):
        halves = list(plan_halves)
    else:
        start = deadline.start or plan_halves[0].start
        end = deadline.end or plan_halves[-1].end
        if deadline.recurrence == Recurrence.ONCE:
            # Not completed: stays active in every later half-year (cut below once completed).
            end = plan_halves[-1].end
        halves = [h for h in plan_halves if h.start <= end and h.end >= start]
    if deadline is not None and deadline.recurrence == Recurrence.ANNUAL:
        return [h for h in halves if not (h.year in completion and h > completion[h.year])]
    done = completion.get(None)
    return [h for h in halves if done is None or h <= done]


def checkpoints(
    deadline: Deadline | None, years: tuple[int, int], settings: ComplianceSettings
) -> list[date]:
    """Dates by which the measure must be completed (none for continuous or unparsed)."""
    if deadline is None or deadline_unparsed(deadline):
        return []
    if deadline.recurrence == Recurrence.ONCE:
        return sorted(set(deadline.checkpoints) or {deadline.end})
    if deadline.recurrence == Recurrence.ANNUAL:
        first = max(years[0], deadline.start.year if deadline.start else years[0])
        last = min(years[1], deadline.end.year if deadline.end else years[1])
        month, day = settings.annual_checkpoint
        return [date(y, month, day) for y in range(first, last + 1)]
    return []


def unmet_checkpoints(
    deadline: Deadline | None, points: list[date], facts: list[Fact], as_of: date
) -> list[date]:
    """Checkpoints before `as_of` not met by a `completed` entry.

    once: any completed entry meets them; annual: a completed entry for a period of that
    checkpoint's year.
    """
    completed = [f for f in facts if f.status == Status.COMPLETED]
    due = [c for c in points if c < as_of]
    if deadline is not None and deadline.recurrence == Recurrence.ANNUAL:
        years_done = {f.period.year for f in completed}
        return [c for c in due if c.year not in years_done]
    return [] if completed else due


# --------------------------------------------------------------------------- one row


def agency_roles(measure: Measure, settings: ComplianceSettings) -> list[tuple[str, bool]]:
    """(code, obligated) per resolved body, obligated ones first, each code once.

    Generic groups ("ministries and agencies") and documents named in the cell (a
    convention) are not bodies that report; they go to review, not to rows.
    """
    roles: dict[str, bool] = {}
    for ref in measure.agencies:
        if ref.code and not ref.is_group and ref.kind not in settings.not_bodies:
            roles[ref.code] = roles.get(ref.code, False) or ref.obligated
    return sorted(roles.items(), key=lambda kv: (not kv[1], kv[0]))


def dates_text(dates: Iterable[date]) -> str:
    return "; ".join(d.isoformat() for d in dates)


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
    due_active = [h for h in active if due_date(h, settings) <= as_of]
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
    halves: set[Period] = field(default_factory=set)


def plan_rows(
    plan: Plan,
    facts: Mapping[tuple[str | None, str, str], list[Fact]],
    as_of: date,
    settings: ComplianceSettings,
    rows: _Rows,
) -> None:
    years = plan_years(plan, as_of)
    plan_halves = half_years(*years)
    rows.halves.update(plan_halves)
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
                for h in active:
                    rows.expected[(agency, h)] += 1
                    rows.reported[(agency, h)] += h in covered


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


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# --------------------------------------------------------------------------- review


def review_row(kind: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(REVIEW_COLUMNS, "")
    row.update(kind=kind, **{k: ("" if v is None else str(v)) for k, v in values.items()})
    return row


# Plan QA findings (from the normalizers) that say what a derived review row would say.
FINDING_KINDS = {
    "deadline_unparsed": "unparsed_deadline",
    "deadline_unconfident": "uncertain_deadline",
    "agency_unresolved": "unresolved_agency",
}


def plan_review_rows(plan: Plan, settings: ComplianceSettings) -> list[dict[str, Any]]:
    """Plan QA findings, unparsed or uncertain deadlines, unresolved agencies, generic groups,
    measures nobody must report on. A derived row is skipped when a finding already says it."""
    out, said = [], set()
    for f in plan.findings:
        kind = FINDING_KINDS.get(f.code, "plan_finding")
        said.add((kind, f.measure_id))
        detail = f.message if kind != "plan_finding" else f"{f.code}: {f.message}"
        where = dict(file=plan.source, location=f.location, plan_id=plan.plan_id)
        out.append(review_row(kind, measure_id=f.measure_id, detail=detail, **where))

    def add(kind: str, m: Measure, detail: str) -> None:
        if (kind, m.measure_id) not in said:
            where = dict(file=plan.source, location=m.provenance or "", plan_id=plan.plan_id)
            out.append(review_row(kind, measure_id=m.measure_id, detail=detail, **where))

    for m in sorted(plan.measures, key=lambda m: m.sort_key):
        if deadline_unparsed(m.deadline):
            add("unparsed_deadline", m, m.deadline_raw)
        elif settings.review_uncertain_deadlines and not m.deadline.confident:
            add("uncertain_deadline", m, m.deadline_raw)
        for ref in m.agencies:
            if ref.is_group:
                add("agency_group", m, ref.raw)
            elif ref.code is None:
                add("unresolved_agency", m, ref.raw)
        if not any(obligated for _, obligated in agency_roles(m, settings)):
            add("no_obligated_agency", m, m.responsible_raw)
    return out


def report_review_rows(
    visible: list[Report],
    superseded: list[tuple[Report, Report]],
    known_measures: set[tuple[str | None, str]],
    settings: ComplianceSettings,
) -> list[dict[str, Any]]:
    """Rejected and needs-review files, unattributed, superseded, and entries to look at."""
    out = []
    for r in visible:
        where = dict(file=r.file, agency=r.agency, period=r.period)
        if r.outcome not in settings.counted_outcomes:
            out.append(review_row(f"{r.outcome}_file", detail=r.reason, **where))
            continue
        if r.outcome != "accepted":
            out.append(review_row(f"{r.outcome}_file", detail=r.reason, **where))
        if not counted(r, settings):
            missing = "agency" if r.agency is None else "period"
            out.append(
                review_row(
                    "unattributed_report", detail=f"no {missing}; {r.reason}".rstrip("; "), **where
                )
            )
            continue
        out.extend(entry_review_rows(r, known_measures))
    for old, new in superseded:
        out.append(
            review_row(
                "superseded_report",
                file=old.file,
                agency=old.agency,
                period=old.period,
                detail=f"→ {new.file}",
            )
        )
    return out


def entry_review_rows(
    report: Report, known_measures: set[tuple[str | None, str]]
) -> list[dict[str, Any]]:
    out = []
    for e in report.entries:
        where = dict(
            file=report.file,
            location=e.location,
            measure_id=e.measure_id,
            agency=report.agency,
            period=report.period,
        )
        detail = " | ".join(p for p in (e.review_reason, e.progress_text) if p)
        if not is_linked(e.measure_id, e.link_method):
            out.append(review_row("unlinked_entry", detail=detail, **where))
        elif not known_measure(known_measures, report.plan_id, e.measure_id):
            out.append(review_row("unknown_measure", detail=detail, **where))
        elif e.review_reason:
            out.append(review_row("entry_review", detail=detail, **where))
    return out


def known_measure(known: set[tuple[str | None, str]], plan_id: str | None, measure_id: str) -> bool:
    """A report naming no plan may refer to any plan's measure (`(None, id)` is in `known`)."""
    return (plan_id, measure_id) in known


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


# --------------------------------------------------------------------------- summaries


def agency_summary(compliance: pd.DataFrame, submissions: pd.DataFrame) -> pd.DataFrame:
    ob = compliance[compliance["obligated"]]
    exp = submissions[submissions["expected"]].assign(
        received=lambda d: d["received_date"].notna(), on_time=lambda d: d["on_time"].astype(int)
    )
    rows = ob.groupby("agency").agg(
        measures=("measure_id", "size"),
        overdue=("overdue", "sum"),
        unreported=("unreported", "sum"),
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
) -> ComplianceResult:
    """Compliance as it looked on `as_of`: reports received after it do not exist yet."""
    settings = ComplianceSettings.resolve(settings)
    visible = visible_reports(reports, as_of, settings)
    usable = [r for r in visible if counted(r, settings)]
    effective, superseded = effective_reports(usable, settings)
    facts = facts_by_measure_agency(effective, settings)

    rows = _Rows()
    for plan in sorted(plans, key=lambda p: p.plan_id):
        plan_rows(plan, facts, as_of, settings, rows)
    compliance = typed(pd.DataFrame(rows.compliance, columns=COMPLIANCE_COLUMNS), COMPLIANCE_TYPES)
    submissions = typed(
        pd.DataFrame(submission_rows(rows, usable, as_of, settings), columns=SUBMISSION_COLUMNS),
        SUBMISSION_TYPES,
    )

    known = {(pid, m.measure_id) for p in plans for m in p.measures for pid in (p.plan_id, None)}
    review_rows = [r for p in plans for r in plan_review_rows(p, settings)]
    review_rows += report_review_rows(
        sorted(visible, key=lambda r: report_order(r, settings)), superseded, known, settings
    )
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
        agencies=agency_summary(compliance, submissions),
        chapters=chapter_summary(plans, compliance),
        figures=headline(plans, compliance, submissions, review, as_of),
        sources=sources,
    )
