"""The compliance rules, as small pure functions: periods and due dates, what the ledger
showed on the as-of day (visible reports, superseding), entry facts per (measure, agency),
completion, active half-years, checkpoints. `outputs.compliance` assembles them into rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

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

# --------------------------------------------------------------------------- periods


def half_years(first_year: int, last_year: int) -> list[Period]:
    return [Period(y, h) for y in range(first_year, last_year + 1) for h in (1, 2)]


def due_date(period: Period, settings: ComplianceSettings) -> date:
    """Day `due_day` of the month `due_months_after` months after the period ends."""
    month_index = period.end.year * 12 + (period.end.month - 1) + settings.due_months_after
    return date(month_index // 12, month_index % 12 + 1, settings.due_day)


def tracked(half: Period, settings: ComplianceSettings) -> bool:
    """Is the half-year tracked at all? Earlier ones are neither expected nor missing."""
    return settings.track_from is None or half >= settings.track_from


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


# --------------------------------------------------------------------------- agencies


def dates_text(dates: Iterable[date]) -> str:
    return "; ".join(d.isoformat() for d in dates)


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
