"""Fill a plan's measures with parsed deadlines and resolved agencies, and flag what failed.

`normalize_plan` is pure: Plan in, Plan out (measures with `deadline` and `agencies` set,
one QA `Finding` per unparsed/unconfident deadline and per unresolved/unconfident agency).
`normalized_columns` gives the extra columns `planwatch plan` writes to measures.csv/.parquet.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.model import AgencyRef, Finding, Measure, Plan, Recurrence, Severity
from normalizers.agencies import merge_abbreviations, resolve
from normalizers.deadlines import parse_deadline

COLUMNS = (
    "deadline_start",
    "deadline_end",
    "deadline_recurrence",
    "deadline_confident",
    "agencies",
    "partners",
    "agencies_unresolved",
)
NOT_BODIES = frozenset({"convention"})  # a document named in the cell (АБЖК), not a partner


def normalize_plan(plan: Plan) -> Plan:
    """The plan with every measure's deadline and agencies filled, using the plan's years
    and its own abbreviation list; QA findings appended to `plan.findings`."""
    reg = merge_abbreviations(plan.abbreviations)
    on = names_date(plan)
    measures, findings = [], []
    for m in plan.measures:
        deadline = parse_deadline(m.deadline_raw, plan.years)
        agencies = tuple(resolve(m.responsible_raw, reg, on=on))
        measures.append(replace(m, deadline=deadline, agencies=agencies))
        findings.extend(measure_findings(measures[-1]))
    return replace(plan, measures=tuple(measures), findings=(*plan.findings, *findings))


def names_date(plan: Plan) -> date | None:
    """The day whose agency names a plan's cells are read with: its adoption (the model
    has no adoption date, so the first day of its years; a 2022-2024 plan reads
    "Министерство здравоохранения" as the ministry of 2021, not the one before it)."""
    return date(plan.years[0], 1, 1) if plan.years else None


def _where(m: Measure, column: str) -> str:
    prov = m.cells.get(column) or m.provenance
    return str(prov) if prov else m.measure_id


def measure_findings(m: Measure) -> list[Finding]:
    """QA for one normalized measure: what a person must check."""
    out = []
    d = m.deadline
    if d is not None and d.recurrence == Recurrence.UNKNOWN:
        out.append(
            Finding(
                "deadline_unparsed",
                f"deadline {d.raw!r} could not be read",
                _where(m, "deadline"),
                Severity.ERROR if d.raw.strip() else Severity.WARNING,
                m.measure_id,
            )
        )
    elif d is not None and not d.confident:
        out.append(
            Finding(
                "deadline_unconfident",
                f"deadline {d.raw!r} read as {d.start}..{d.end} ({d.recurrence}) — please check",
                _where(m, "deadline"),
                Severity.WARNING,
                m.measure_id,
            )
        )
    for ref in m.agencies:
        if ref.code is None:
            message = f"responsible body {ref.raw!r} is not in the agency registry"
            code = "agency_unresolved"
        elif not ref.confident:
            message = f"responsible body {ref.raw!r} read as {ref.code} — please check"
            code = "agency_unconfident"
        else:
            continue
        out.append(Finding(code, message, _where(m, "responsible"), Severity.WARNING, m.measure_id))
    return out


def _joined(values: list[str]) -> str:
    return ";".join(dict.fromkeys(v for v in values if v))


def _is_partner(ref: AgencyRef) -> bool:
    return bool(ref.code) and not ref.obligated and not ref.is_group and ref.kind not in NOT_BODIES


def normalized_columns(measure: Measure) -> dict[str, object]:
    """The extra measures.csv columns: deadline_start/end (date or None), recurrence,
    confident, `agencies` (obligated codes, then `*`-prefixed generic groups such as
    "*министрликтер жана ведомстволор"), `partners` (by-agreement or non-obligated codes),
    `agencies_unresolved` (raw text of pieces with no code); lists are `;`-separated."""
    d = measure.deadline
    refs = measure.agencies
    start: date | None = d.start if d else None
    end: date | None = d.end if d else None
    return {
        "deadline_start": start,
        "deadline_end": end,
        "deadline_recurrence": str(d.recurrence) if d else str(Recurrence.UNKNOWN),
        "deadline_confident": bool(d and d.confident),
        "agencies": _joined([r.code for r in refs if r.obligated or r.is_group]),
        "partners": _joined([r.code for r in refs if _is_partner(r)]),
        "agencies_unresolved": _joined([r.raw for r in refs if r.code is None]),
    }
