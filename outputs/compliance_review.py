"""The Review sheet's rows: everything a person must look at, plan side and report side."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from core.model import Measure, Plan, Report, Sighting
from outputs.compliance_rules import (
    agency_roles,
    counted,
    deadline_unparsed,
    is_linked,
    to_local_date,
)
from outputs.compliance_settings import ComplianceSettings

REVIEW_COLUMNS: tuple[str, ...] = (
    "kind",
    "file",
    "location",
    "plan_id",
    "measure_id",
    "agency",
    "period",
    "detail",
    # the detail in two parts: the reader's or rule's reason / finding code (English, for
    # matching) and the text quoted from the decree or report (shown as written)
    "reason",
    "quote",
)


def review_row(kind: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(REVIEW_COLUMNS, "")
    row.update(kind=kind, **{k: ("" if v is None else str(v)) for k, v in values.items()})
    return row


QUOTED = re.compile(r"'([^']+)'")  # decree text a finding quotes (repr of a str)

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
        quote = " | ".join(QUOTED.findall(f.message))
        out.append(
            review_row(
                kind, measure_id=f.measure_id, detail=detail, reason=f.code, quote=quote, **where
            )
        )

    def add(kind: str, m: Measure, detail: str) -> None:
        if (kind, m.measure_id) not in said:
            where = dict(file=plan.source, location=m.provenance or "", plan_id=plan.plan_id)
            out.append(
                review_row(kind, measure_id=m.measure_id, detail=detail, quote=detail, **where)
            )

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
            out.append(review_row(f"{r.outcome}_file", detail=r.reason, reason=r.reason, **where))
            continue
        if r.outcome != "accepted":
            out.append(review_row(f"{r.outcome}_file", detail=r.reason, reason=r.reason, **where))
        if not counted(r, settings):
            missing = "agency" if r.agency is None else "period"
            out.append(
                review_row(
                    "unattributed_report",
                    detail=f"no {missing}; {r.reason}".rstrip("; "),
                    reason=f"no {missing}",
                    **where,
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
                reason="superseded",
                quote=new.file,
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
        where.update(reason=e.review_reason, quote=e.progress_text)
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


def duplicate_rows(
    visible: list[Report], sightings: Sequence[Sighting], as_of: date, settings: ComplianceSettings
) -> list[dict[str, Any]]:
    """Copies of a visible report's bytes under another name, seen by the as-of day."""
    by_sha = {r.sha256: r for r in visible}
    out = []
    for s in sightings:
        kept = by_sha.get(s.sha256)
        if kept is None or s.name == kept.file or to_local_date(s.first_seen, settings) > as_of:
            continue
        out.append(
            review_row(
                "duplicate_file",
                file=s.name,
                agency=kept.agency,
                period=kept.period,
                detail=f"= {kept.file}",
                reason="duplicate",
                quote=kept.file,
            )
        )
    return out
