"""Reports from bodies that succeeded a plan's agencies count for those agencies.

The 2018-2020 plan names ЭСӨМ and ССМ; since 2021 their reports come from the bodies that
took their remit (renamed, merged, split). Before compliance is computed:
- a report from a body that succeeded ONE of the plan's agencies counts as that agency's;
- a report from a merger of SEVERAL (СССӨМ, 2021) is credited entry by entry to the one
  the measure obligates; an entry whose measure names several of them, or none, is not
  credited and goes to review naming them (a person decides, planwatch does not guess);
- every other report is left as it is.
Pure: the registry's history (`normalizers.agency_time`) and the plans in, reports out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from core.model import Entry, Measure, Plan, Report
from normalizers.agency_time import predecessors_in


def credit_successors(reports: Iterable[Report], plans: Sequence[Plan]) -> list[Report]:
    """`reports` with successor bodies' reports attributed to the plan agencies they carry."""
    codes = {p.plan_id: plan_codes(p) for p in plans}
    every_code = set().union(*codes.values()) if codes else set()
    measures = {p.plan_id: {m.measure_id: m for m in p.measures} for p in plans}
    any_plan = {k: m for by_id in reversed(measures.values()) for k, m in by_id.items()}
    out: list[Report] = []
    for r in reports:
        known = codes.get(r.plan_id, every_code)
        if r.agency is None or r.agency in known:
            out.append(r)
            continue
        heirs = predecessors_in(r.agency, known)
        if not heirs:
            out.append(r)
        elif len(heirs) == 1:
            out.append(replace(r, agency=heirs.pop()))
        else:
            out.extend(split_by_measure(r, heirs, measures.get(r.plan_id, any_plan)))
    return out


def plan_codes(plan: Plan) -> set[str]:
    return {a.code for m in plan.measures for a in m.agencies if a.code}


def split_by_measure(report: Report, heirs: set[str], measures: dict[str, Measure]) -> list[Report]:
    """One report per heir with the entries whose measure obligates it; the rest stay with
    the sender, marked for review."""
    credited: dict[str, list[Entry]] = {}
    unclear: list[Entry] = []
    for entry in report.entries:
        heir = heir_for(measures.get(entry.measure_id or ""), heirs)
        if heir is None:
            names = ", ".join(sorted(heirs))
            unclear.append(replace(entry, review_reason=f"{report.agency} → {names}?"))
        else:
            credited.setdefault(heir, []).append(entry)
    out = [replace(report, agency=h, entries=tuple(es)) for h, es in sorted(credited.items())]
    if unclear or not out:
        out.append(replace(report, entries=tuple(unclear)))
    return out


def heir_for(measure: Measure | None, heirs: set[str]) -> str | None:
    """The one heir the measure obligates (else the one it names at all); None if not one."""
    if measure is None:
        return None
    for codes in (measure.obligated_codes, tuple(a.code for a in measure.agencies if a.code)):
        named = heirs & set(codes)
        if len(named) == 1:
            return named.pop()
        if named:
            return None  # several heirs named: not for planwatch to choose
    return None
