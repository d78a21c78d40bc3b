"""What each sheet shows, as language-free DataFrames built from a `ComplianceResult`.

Kept apart from the xlsx rendering (`outputs.workbook`) so other views (an HTML page, the
reminder letters) show the same rows: the overdue lists by kind, the coordinator's own
measures, the unreported pairs that are not overdue, the agency x half-year grid, the
Review sheet ordered by what needs a person today, and the plan's notes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from core.model import Period
from outputs.compliance import ComplianceResult
from outputs.compliance_summary import NO_INFORMATION, REPORTED_NOT_DONE

# Plan-side Review kinds: shown once, on the Plan notes sheet.
PLAN_KINDS = (
    "plan_finding",
    "unparsed_deadline",
    "uncertain_deadline",
    "unresolved_agency",
    "agency_group",
    "no_obligated_agency",
)
# Report-side kinds, in the order a person deals with them: files first.
REVIEW_ORDER = (
    "rejected_file",
    "failed_file",
    "needs_review_file",
    "duplicate_file",
    "unattributed_report",
    "superseded_report",
    "unknown_measure",
    "unlinked_entry",
    "entry_review",
)
GRID_STATES = ("on_time", "late", "unreadable", "missing", "not_due", "not_expected")
NOT_COUNTED = ("rejected", "failed")


def _obligated(result: ComplianceResult) -> pd.DataFrame:
    return result.compliance[result.compliance["obligated"]]


def _by_urgency(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(
        ["days_overdue", "agency", "measure_id"], ascending=[False, True, True], kind="stable"
    )


def overdue_rows(result: ComplianceResult, kind: str, agency: str | None = None) -> pd.DataFrame:
    """Overdue pairs of one kind, the coordinator's own left out (it has its own sheet),
    most overdue first. No-information rows carry the agency's reports received for the
    half-years the measure was due in (`reports_received`), none of which mention it."""
    ob = _obligated(result)
    df = ob[(ob["overdue_kind"] == kind) & (ob["agency"] != result.coordinator)]
    if agency is not None:
        df = ob[(ob["overdue_kind"] == kind) & (ob["agency"] == agency)]
    df = _by_urgency(df).copy()
    if kind == NO_INFORMATION:
        df["reports_received"] = [
            received_files(result, a, p)
            for a, p in zip(df["agency"], df["missing_periods"], strict=True)
        ]
    return df


def received_files(result: ComplianceResult, agency: str, periods: str) -> str:
    """File names of the agency's counted reports for these half-years ('2019-H1; …')."""
    wanted = {p.strip() for p in (periods or "").split(";") if p.strip()}
    subs = result.submissions
    mine = subs[(subs["agency"] == agency) & subs["period"].isin(wanted)]
    return "; ".join(dict.fromkeys(f for f in mine["report_file"] if isinstance(f, str)))


def coordinator_rows(result: ComplianceResult) -> pd.DataFrame:
    """The coordinating ministry's own measures that are overdue or unreported."""
    ob = _obligated(result)
    mine = ob[(ob["agency"] == result.coordinator) & (ob["overdue"] | (ob["periods_missing"] > 0))]
    return _by_urgency(mine)


def unreported_rows(result: ComplianceResult, agency: str | None = None) -> pd.DataFrame:
    """Pairs with unreported half-years that are not already on an overdue list."""
    ob = _obligated(result)
    df = ob[(ob["periods_missing"] > 0) & ~ob["overdue"]]
    df = df[df["agency"] != result.coordinator] if agency is None else df[df["agency"] == agency]
    return df.sort_values(["agency", "periods_missing"], ascending=[True, False], kind="stable")


def ranking(result: ComplianceResult, alphabet_key) -> pd.DataFrame:
    """The agencies without the coordinator, most overdue first (ties alphabetical)."""
    table = result.agencies[~result.agencies["coordinator"]].copy()
    table["_name"] = table["agency"].map(alphabet_key)
    table = table.sort_values(["overdue", "_name"], ascending=[False, True], kind="stable")
    return table.drop(columns="_name").reset_index(drop=True)


# --------------------------------------------------------------------------- files


def name_attribution(file: str) -> tuple[str | None, str | None]:
    """(agency code, period) read from a file name alone, for a file whose content could
    not be read: 'ССМ отчет 2020-1 (бузулган).docx' -> ('ССМ', '2020-H1')."""
    from normalizers.report_reading import _file_period_words, _file_words, default_tools

    tools = default_tools()
    words = _file_words(file)
    codes = [r.code for r in tools.find_agencies(words) if r.code and not r.is_group]
    codes = codes or [r.code for w in words.split() for r in tools.resolve(w) if r.code]
    period = tools.parse_period(_file_period_words(file))
    agency = codes[0] if len(set(codes)) == 1 else None
    return agency, (str(period) if period else None)


def _or(value: object, fallback: str | None) -> str | None:
    return value if isinstance(value, str) and value else fallback


def unreadable_files(result: ComplianceResult) -> pd.DataFrame:
    """Rejected or failed files with agency and period: from the reader, else the name."""
    files = result.files[result.files["outcome"].isin(NOT_COUNTED)].copy()
    named = [name_attribution(f) for f in files["file"]]
    files["agency"] = [_or(a, n[0]) for a, n in zip(files["agency"], named, strict=True)]
    files["period"] = [_or(p, n[1]) for p, n in zip(files["period"], named, strict=True)]
    return files


# --------------------------------------------------------------------------- the grid


def submission_states(result: ComplianceResult) -> pd.DataFrame:
    """One row per (agency, half-year): state (on_time, late, unreadable, missing, not_due,
    not_expected), days late, file."""
    subs = result.submissions.copy()
    unreadable = {
        (a, h)
        for a, p in zip(*(unreadable_files(result)[c] for c in ("agency", "period")), strict=True)
        if a and p
        for h in map(str, Period.parse(p).halves())
    }
    states, late = [], []
    for r in subs.to_dict("records"):
        received = r["received_date"]
        if isinstance(received, date):
            states.append("on_time" if r["on_time"] else "late")
            late.append(max(0, (received - r["due_date"]).days))
        else:
            key = (r["agency"], r["period"])
            if r["expected"]:
                states.append("unreadable" if key in unreadable else "missing")
            else:
                states.append("not_due" if r["due_date"] > result.as_of else "not_expected")
            late.append(None)
    subs["state"] = states
    subs["days_late"] = pd.array(late, dtype="Int64")
    return subs


def grid(result: ComplianceResult, agencies: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The agency x half-year states (rows in `agencies` order) and the half-years shown:
    those due by the as-of day in which anything was expected or received."""
    states = submission_states(result)
    shown = states[(states["due_date"] <= result.as_of)]
    periods = sorted(
        set(shown.loc[shown["expected"] | shown["received_date"].notna(), "period"]),
        key=Period.parse,
    )
    return states[states["agency"].isin(agencies) & states["period"].isin(periods)], periods


def rates(states: pd.DataFrame, by: str) -> pd.DataFrame:
    """Reporting and on-time rate per `by` (agency or period), over expected submissions."""
    exp = states[states["expected"]]
    g = exp.groupby(by)
    out = pd.DataFrame(
        {
            "expected": g.size(),
            "received": g["received_date"].apply(lambda s: int(s.notna().sum())),
            "on_time": g["on_time"].sum(),
        }
    )
    out["reporting_rate"] = out["received"] / out["expected"]
    out["on_time_rate"] = out["on_time"] / out["expected"]
    return out


# --------------------------------------------------------------------------- review


def review_rows(result: ComplianceResult) -> pd.DataFrame:
    """Report-side Review rows, files first; a file the reader could not attribute gets
    the agency and period its name gives."""
    df = result.review[~result.review["kind"].isin(PLAN_KINDS)].copy()
    for i in df.index[(df["agency"] == "") | (df["period"] == "")]:
        agency, period = name_attribution(df.at[i, "file"])
        df.at[i, "agency"] = df.at[i, "agency"] or agency or ""
        df.at[i, "period"] = df.at[i, "period"] or period or ""
    order = {k: n for n, k in enumerate(REVIEW_ORDER)}
    df["_order"] = df["kind"].map(lambda k: order.get(k, len(order)))
    return df.sort_values(["_order", "agency", "file"], kind="stable").drop(columns="_order")


def plan_notes(result: ComplianceResult) -> pd.DataFrame:
    """The plan's QA findings and rules' remarks on the decree, once."""
    df = result.review[result.review["kind"].isin(PLAN_KINDS)]
    return df.drop_duplicates(["kind", "plan_id", "measure_id", "reason", "quote"])


__all__ = [
    "GRID_STATES",
    "NO_INFORMATION",
    "REPORTED_NOT_DONE",
    "coordinator_rows",
    "grid",
    "overdue_rows",
    "plan_notes",
    "rates",
    "review_rows",
    "submission_states",
    "unreported_rows",
]
