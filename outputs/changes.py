"""What changed since the last run: a pure function of (previous rows, current rows).

A run is recorded as its headline counts and its rows (`run_rows`): one per obligated
(measure, agency) pair and one per (agency, half-year) submission. `compare` turns two such
lists into `out/changes.csv`'s rows:

    plan_id, measure_id, agency, period, change, previous, current

with `change` one of CHANGES. Values are codes (statuses, overdue kinds, periods, file
names); the workbook shows them in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from core.model import Status
from outputs.compliance import ComplianceResult
from outputs.compliance_settings import TIMEZONE
from outputs.datasets import write_csv

CHANGES = (
    "newly_overdue",
    "no_longer_overdue",
    "newly_unreported",
    "newly_received",
    "newly_completed",
)
CHANGE_COLUMNS = ("plan_id", "measure_id", "agency", "period", "change", "previous", "current")
CHANGES_FILE = "changes.csv"
MEASURE, SUBMISSION = "measure", "submission"
COUNT_KEYS = (
    "measures",
    "overdue",
    "measures_overdue",
    "overdue_reported_not_done",
    "overdue_no_information",
    "unreported",
    "expected",
    "received",
    "on_time",  # the page's on-time rate trend (runs recorded before it have a gap there)
)


@dataclass(frozen=True)
class Since:
    """The run compared with (None: this is the first run) and what changed since."""

    previous_as_of: date | None
    previous_at: datetime | None
    changes: pd.DataFrame

    @property
    def first(self) -> bool:
        return self.previous_as_of is None


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def run_rows(result: ComplianceResult) -> list[dict[str, Any]]:
    """The rows a run is remembered by (JSON-safe: text and booleans only)."""
    ob = result.compliance[result.compliance["obligated"]]
    rows = [
        {
            "kind": MEASURE,
            "plan_id": r["plan_id"],
            "measure_id": r["measure_id"],
            "agency": r["agency"],
            "overdue": bool(r["overdue"]),
            "overdue_kind": _text(r["overdue_kind"]),
            "status": _text(r["status"]),
            "latest_period": _text(r["latest_period"]),
            "unreported": bool(r["unreported"]),
            "missing_periods": _text(r["missing_periods"]),
        }
        for r in ob.to_dict("records")
    ]
    subs = result.submissions
    rows += [
        {
            "kind": SUBMISSION,
            "agency": r["agency"],
            "period": r["period"],
            "received": pd.notna(r["received_date"]),
            "file": _text(r["report_file"]),
        }
        for r in subs.to_dict("records")
    ]
    return rows


def run_counts(result: ComplianceResult) -> dict[str, int]:
    return {k: int(result.figures.get(k) or 0) for k in COUNT_KEYS}


def _keyed(rows: Iterable[Mapping[str, Any]], kind: str) -> dict[tuple, Mapping[str, Any]]:
    if kind == MEASURE:
        return {(r["plan_id"], r["measure_id"], r["agency"]): r for r in rows if r["kind"] == kind}
    return {(r["agency"], r["period"]): r for r in rows if r["kind"] == kind}


def _last_period(periods: str) -> str:
    return periods.split(";")[-1].strip() if periods else ""


def measure_changes(prev: Mapping | None, cur: Mapping | None) -> list[tuple[str, str, str, str]]:
    """(change, period, previous, current) for one (measure, agency) pair."""
    out = []
    was_overdue = bool(prev and prev["overdue"])
    is_overdue = bool(cur and cur["overdue"])
    period = (cur or prev)["latest_period"]
    if is_overdue and not was_overdue:
        out.append(("newly_overdue", period, prev["status"] if prev else "", cur["overdue_kind"]))
    if was_overdue and not is_overdue:
        out.append(
            ("no_longer_overdue", period, prev["overdue_kind"], cur["status"] if cur else "")
        )
    if (
        cur
        and cur["status"] == Status.COMPLETED
        and (not prev or prev["status"] != Status.COMPLETED)
    ):
        out.append(("newly_completed", period, prev["status"] if prev else "", cur["status"]))
    if cur and cur["unreported"] and not (prev and prev["unreported"]):
        missing = cur["missing_periods"]
        out.append(("newly_unreported", _last_period(missing), "", missing))
    return out


def compare(
    previous: Iterable[Mapping[str, Any]], current: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """The changes from `previous` rows to `current` rows, in CHANGES order then by key."""
    previous, current = list(previous), list(current)
    rows = []
    before, now = _keyed(previous, MEASURE), _keyed(current, MEASURE)
    for key in sorted(set(before) | set(now)):
        for change, period, old, new in measure_changes(before.get(key), now.get(key)):
            rows.append((*key, period, change, old, new))
    before, now = _keyed(previous, SUBMISSION), _keyed(current, SUBMISSION)
    for (agency, period), cur in sorted(now.items()):
        prev = before.get((agency, period))
        if cur["received"] and not (prev and prev["received"]):
            rows.append(("", "", agency, period, "newly_received", "", cur["file"]))
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    order = {c: n for n, c in enumerate(CHANGES)}
    return frame.sort_values(
        ["change", "agency", "measure_id"], key=lambda s: s.map(order) if s.name == "change" else s
    ).reset_index(drop=True)


def write_changes(changes: pd.DataFrame, out_dir: Path) -> Path:
    return write_csv(changes, Path(out_dir) / CHANGES_FILE)


def since_last_run(ledger: Any, result: ComplianceResult) -> Since:
    """Compare with the latest run recorded on or before this as-of day, then record this
    run. `ledger` is a `ledger.db.Ledger` (`previous_run`, `record_run`); a ledger without
    runs (older schema) makes every run a first run."""
    rows = run_rows(result)
    previous = ledger.previous_run(result.as_of) if hasattr(ledger, "previous_run") else None
    if hasattr(ledger, "record_run"):
        ledger.record_run(list(result.plan_titles), result.as_of, run_counts(result), rows)
    if previous is None:
        return Since(None, None, compare([], []))
    return Since(previous.as_of, local_time(previous.created_at), compare(previous.rows, rows))


def local_time(moment: datetime | None) -> datetime | None:
    """A ledger time (naive = UTC) in the ministry's time zone."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(TIMEZONE))
