"""Plain CSV views of the ledger: what later outputs and outside checks read.

`write_ledger_views(ledger, out_dir) -> [out_dir/files.csv, out_dir/entries.csv]`

- `files.csv`: one row per file NAME ever seen (every sighting: the audit). First columns
  (a contract): file, sha256, agency, period, received_date, received_source, outcome,
  reason; then size, first_seen, stored_path, plan_id, entries, linked, unlinked,
  superseded_by (the sha256 of the newer report of the same agency and period that counts
  instead), duplicate_of. Bytes seen again under another name give a row with outcome
  `duplicate` and `duplicate_of` = the name they were first read under (its entries count
  once, on that row).
- `entries.csv`: one row per entry. First columns (a contract):
  file, measure_id, agency, period, status, progress_text, link_method, confidence, location;
  then sha256, indicator_value, review_reason.

UTF-8 without BOM, comma-separated, rows in ledger order (first seen). Each file is written
to a temporary name and renamed, so a reader never sees half a view. Cells starting with
`=`, `+`, `-`, `@`, tab or CR get a leading `'` (OWASP CSV-injection advice), because staff
open these in Excel and report text comes from outside.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from core.escape import for_csv
from core.files import temp_next_to
from core.model import LinkMethod, Outcome, Report, Sighting
from ledger.db import Ledger
from ledger.supersede import superseded_by

FILES_CSV = "files.csv"
ENTRIES_CSV = "entries.csv"
FILES_COLUMNS = (
    "file",
    "sha256",
    "agency",
    "period",
    "received_date",
    "received_source",
    "outcome",
    "reason",
    "size",
    "first_seen",
    "stored_path",
    "plan_id",
    "entries",
    "linked",
    "unlinked",
    "superseded_by",
    "duplicate_of",
)
ENTRIES_COLUMNS = (
    "file",
    "measure_id",
    "agency",
    "period",
    "status",
    "progress_text",
    "link_method",
    "confidence",
    "location",
    "sha256",
    "indicator_value",
    "review_reason",
)


def write_ledger_views(ledger: Ledger, out_dir: Path) -> list[Path]:
    """Write files.csv and entries.csv under `out_dir` (created); return their paths."""
    reports = ledger.reports()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    file_rows = reports_to_file_rows(reports, ledger.sightings())
    return [
        _write_csv(out_dir / FILES_CSV, FILES_COLUMNS, file_rows),
        _write_csv(out_dir / ENTRIES_CSV, ENTRIES_COLUMNS, reports_to_entry_rows(reports)),
    ]


def linked_count(report: Report) -> int:
    """Entries tied to a measure of the plan (by number, template id or text). A number the
    plan does not have keeps its method but gets confidence 0: not linked."""
    return sum(
        1
        for e in report.entries
        if e.measure_id and e.link_method != LinkMethod.NONE and e.confidence > 0
    )


def reports_to_file_rows(
    reports: Sequence[Report], sightings: Sequence[Sighting] = ()
) -> list[dict[str, object]]:
    """One row per report, plus one `duplicate` row per other name its bytes came under;
    in order of first sight."""
    rows = _report_rows(reports)
    by_sha = {row["sha256"]: row for row in rows}
    for s in sightings:
        first = by_sha.get(s.sha256)
        if first is not None and s.name != first["file"]:
            rows.append(_duplicate_row(first, s))
    return sorted(rows, key=lambda row: (row["first_seen"], row["file"]))


def _duplicate_row(first: dict[str, object], s: Sighting) -> dict[str, object]:
    return first | {
        "file": s.name,
        "outcome": Outcome.DUPLICATE.value,
        "reason": f"same bytes as {first['file']}",
        "first_seen": s.first_seen.isoformat(timespec="seconds"),
        "entries": 0,
        "linked": 0,
        "unlinked": 0,
        "duplicate_of": first["file"],
    }


def _report_rows(reports: Sequence[Report]) -> list[dict[str, object]]:
    newer = superseded_by(reports)
    return [
        {
            "file": r.file,
            "sha256": r.sha256,
            "agency": r.agency or "",
            "period": str(r.period) if r.period else "",
            "received_date": r.received_date.isoformat() if r.received_date else "",
            "received_source": r.received_source or "",
            "outcome": r.outcome,
            "reason": r.reason,
            "size": r.size,
            "first_seen": r.first_seen.isoformat(timespec="seconds"),
            "stored_path": r.stored_path,
            "plan_id": r.plan_id or "",
            "entries": len(r.entries),
            "linked": linked_count(r),
            "unlinked": len(r.entries) - linked_count(r),
            "superseded_by": newer.get(r.sha256, ""),
            "duplicate_of": "",
        }
        for r in reports
    ]


def reports_to_entry_rows(reports: Sequence[Report]) -> list[dict[str, object]]:
    return [
        {
            "file": r.file,
            "measure_id": e.measure_id or "",
            "agency": r.agency or "",
            "period": str(r.period) if r.period else "",
            "status": e.status,
            "progress_text": e.progress_text,
            "link_method": e.link_method,
            "confidence": round(e.confidence, 3),
            "location": e.location,
            "sha256": r.sha256,
            "indicator_value": e.indicator_value,
            "review_reason": e.review_reason,
        }
        for r in reports
        for e in r.entries
    ]


def neutralize_formula(value: object) -> object:
    """A text cell Excel would run as a formula, made inert with a leading quote."""
    return for_csv(value) if isinstance(value, str) else value


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, object]]) -> Path:
    fd, tmp = temp_next_to(path)  # the umask's permissions, not mkstemp's 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: neutralize_formula(v) for k, v in row.items()})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
