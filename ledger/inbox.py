"""Scan the inbox folder into the ledger, losing nothing and altering nothing.

- `list_inbox(inbox, settings=None) -> list[Path]`: the files ready to ingest (sorted; hidden,
  temporary and still-growing files left out).
- `ingest_file(path, ledger, plans, workdir, *, now=None) -> Report`: ONE file, never raises
  for a bad file (the Prefect flow maps this per file).
- `scan_inbox(inbox, workdir, ledger, plans, settings=None) -> list[Report]`: list + ingest.
- `latest_reports(reports) -> list[Report]`: the supersede rule (see `ledger.supersede`).

Listing lives in `ledger.listing`, the workdir's copies in `ledger.copies`; their public
names are importable from here too.

Guarantees:
- Inbox files are only read: one sequential read copies the bytes into a private staging
  file while hashing them, and everything after works on that snapshot.
- The same bytes are processed once: a sha256 already in the ledger returns the recorded
  Report untouched (whatever the file is called now).
- Every file ends up recorded with a copy in the workdir:

      WORKDIR/archive/<sha256[:2]>/<sha256><suffix>    accepted, needs_review and failed
      WORKDIR/quarantine/<original name>               rejected (" (2)" added on a clash)
      WORKDIR/quarantine/<original name>.reason.txt    why it was rejected

  `Report.stored_path` is that copy's path relative to the workdir, "/"-separated.
- The received date is the report's own date (letter or stamp) when the content has one,
  else the file's modification time, else the first time the ledger saw the file
  (`Report.received_source`: "content", "mtime", "first_seen"); dates are taken in the
  ministry's time zone (`InboxSettings.timezone`).
"""

from __future__ import annotations

import shutil
import traceback
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.errors import UnreadableReport, UnsupportedReport
from core.model import DateSource, Outcome, Plan, Report, ReportReading, Sighting
from ledger.copies import (
    CONVERT_CACHE_DIR,
    clean_leftovers,
    drop_copy,
    file_sha256,
    stage,
    store,
)
from ledger.db import Ledger
from ledger.listing import (
    InboxListing,
    InboxSettings,
    Signature,
    display_name,
    inbox_files,
    list_inbox,
    look_inbox,
    settled,
    signatures,
)
from ledger.supersede import latest_reports, superseded_by

__all__ = [
    "InboxListing",
    "InboxSettings",
    "ScanResult",
    "clean_leftovers",
    "display_name",
    "file_sha256",
    "ingest_file",
    "latest_reports",
    "inbox_files",
    "list_inbox",
    "look_inbox",
    "scan_inbox",
    "settled",
    "signatures",
    "superseded_by",
]


class ScanResult(list):
    """`scan_inbox`'s Reports (a list, as before) plus the entries the listing skipped."""

    def __init__(self, reports: list[Report], skipped: list[tuple[str, str]]) -> None:
        super().__init__(reports)
        self.skipped = skipped


def scan_inbox(
    inbox: Path,
    workdir: Path,
    ledger: Ledger,
    plans: list[Plan],
    settings: InboxSettings | None = None,
) -> ScanResult:
    """Ingest every ready file of the inbox once; one Report per file, in name order (and
    `.skipped`: the entries that are not ready or not files, with why)."""
    settings = InboxSettings.resolve(settings)
    listing = look_inbox(inbox, settings)
    reports = [
        ingest_file(
            path, ledger, plans, workdir, settings=settings, listed=listing.signatures[path]
        )
        for path in listing.files
    ]
    return ScanResult(reports, listing.skipped)


def ingest_file(
    path: Path,
    ledger: Ledger,
    plans: list[Plan],
    workdir: Path,
    *,
    now: datetime | None = None,
    settings: InboxSettings | None = None,
    listed: Signature = None,
) -> Report:
    """Ingest ONE inbox file and return its Report, as recorded in the ledger.

    Already-seen bytes return the recorded Report untouched, unless that record is `failed`
    with fewer than `settings.max_tries` tries: then the file is read again. Otherwise the
    file is read (`read_document`, then `read_against_plans`: the plan whose years and
    measures the report fits best), dated, copied into the archive or the quarantine and recorded. Every
    name the bytes arrive under is recorded as a sighting (the audit).

    A file the readers refuse is `rejected` with the reason: a statement about the file. An
    unexpected exception while reading is planwatch's fault, not the file's: the Report is
    `failed` with the traceback's last line, recorded, and read again on the next run. Two
    cases give a `failed` Report that is NOT recorded at all, so the next scan tries again:
    a file that cannot be read from the inbox (vanished, permission denied, not the file
    `listed` any more; empty sha256) and a failure of the workdir or the ledger (disk full,
    database down). A name that is not UTF-8 is recorded under its `display_name`, the
    sighting keeping its raw bytes escaped.
    """
    settings = InboxSettings.resolve(settings)
    workdir = Path(workdir)
    first_seen = _utc_naive(now or datetime.now(UTC))
    name, raw_name = display_name(path.name)
    try:
        staged, sha256, size, mtime = stage(path, workdir, name, listed)
    except OSError as err:
        return Report(name, "", 0, first_seen, Outcome.FAILED, f"cannot read the file: {err}")
    try:
        sighting = _sighting(name, sha256, size, mtime, first_seen, raw_name)
        known = ledger.report(sha256)
        if known is not None and not _retry(known, settings):
            ledger.see(sighting)
            return known
        report = _new_report(
            name, staged, sha256, size, mtime, first_seen, plans, settings, workdir
        )
        report = _give_up_after(report, known, settings)
        recorded = _keep(staged, report, ledger, workdir)
        ledger.see(sighting)  # after the file row: a sighting names recorded bytes
        if known is not None and known.stored_path not in ("", recorded.stored_path):
            drop_copy(workdir / known.stored_path)  # the failed try's copy, now replaced
        return recorded
    except Exception as err:  # the workdir or the ledger failed, not the file: retry next scan
        reason = f"not recorded, retried next scan: {_last_line(err)}"
        return Report(name, sha256, size, first_seen, Outcome.FAILED, reason)
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)


def _retry(known: Report, settings: InboxSettings) -> bool:
    return known.outcome == Outcome.FAILED and known.tries < settings.max_tries


def _give_up_after(report: Report, known: Report | None, settings: InboxSettings) -> Report:
    """The last allowed try of a failing file says that it will not be tried again."""
    tries = (known.tries if known else 0) + 1
    if report.outcome != Outcome.FAILED or tries < settings.max_tries:
        return report
    return replace(report, reason=f"failed {tries} times, not retried: {report.reason}")


def _sighting(
    name: str, sha256: str, size: int, mtime: float, seen: datetime, raw_name: str = ""
) -> Sighting:
    modified = datetime.fromtimestamp(mtime, UTC).replace(tzinfo=None)
    return Sighting(sha256, name, size, seen, modified, raw_name)


def _new_report(
    name: str,
    staged: Path,
    sha256: str,
    size: int,
    mtime: float,
    first_seen: datetime,
    plans: list[Plan],
    settings: InboxSettings,
    workdir: Path,
) -> Report:
    """What the readers make of the staged copy, with the ledger's file facts added."""
    reading, plan = _read(staged, plans, name, workdir)
    received, source = _received(reading.report_date, mtime, first_seen, settings)
    return Report(
        file=name,
        sha256=sha256,
        size=size,
        first_seen=first_seen,
        outcome=reading.outcome,
        reason=reading.reason,
        agency=reading.agency,
        period=reading.period,
        received_date=received,
        received_source=source,
        entries=reading.entries,
        plan_id=plan.plan_id if plan else None,
    )


def _keep(staged: Path, report: Report, ledger: Ledger, workdir: Path) -> Report:
    """Copy into the archive or quarantine first, then record: a recorded file has its copy."""
    report = replace(report, stored_path=store(staged, report, workdir))
    ledger.record(report)
    recorded = ledger.report(report.sha256) or report
    if recorded.stored_path != report.stored_path:  # another worker recorded these bytes
        drop_copy(workdir / report.stored_path)
    return recorded


def _read(
    staged: Path, plans: list[Plan], file_name: str, workdir: Path
) -> tuple[ReportReading, Plan | None]:
    """The readers' verdict and the plan the report answers (`read_against_plans`): a
    refusal is `rejected`, a crash `failed`, each with a reason."""
    # Imported here: the readers pull in spaCy, pdfplumber and friends, which listing the
    # inbox or opening the ledger does not need.
    from extractors.report_settings import ReaderSettings
    from extractors.reports import read_document
    from normalizers.plan_match import read_against_plans

    # Legacy Office files are converted once: a re-read (a failed file's retry) hits the cache.
    settings = ReaderSettings(convert_cache=str(workdir / CONVERT_CACHE_DIR))
    try:
        return read_against_plans(read_document(staged, settings), plans, file_name)
    except (UnsupportedReport, UnreadableReport) as err:
        outcome, reason = Outcome.REJECTED, err.reason
    except Exception as err:  # a reader bug is not a verdict on the file: failed, read again
        outcome, reason = Outcome.FAILED, f"planwatch failed reading it: {_last_line(err)}"
    # A library message may quote the path it opened: name the inbox file instead.
    only_plan = plans[0] if len(plans) == 1 else None
    return ReportReading(outcome, reason.replace(str(staged), file_name)), only_plan


def _last_line(err: BaseException) -> str:
    """The traceback's last line: the exception's type and message, on one line."""
    return " ".join(traceback.format_exception_only(err)[-1].split())


def _received(
    content_date: date | None, mtime: float, first_seen: datetime, settings: InboxSettings
) -> tuple[date, str]:
    """Content date, else mtime (unless it lies after first sight: a wrong clock), else first seen."""
    zone = ZoneInfo(settings.timezone)
    if content_date is not None:
        return content_date, DateSource.CONTENT
    modified = datetime.fromtimestamp(mtime, UTC)
    seen = first_seen.replace(tzinfo=UTC)
    if modified <= seen:
        return modified.astimezone(zone).date(), DateSource.MTIME
    return seen.astimezone(zone).date(), DateSource.FIRST_SEEN


# ---------------------------------------------------------------------- copies


def _utc_naive(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
