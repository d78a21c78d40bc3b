"""Scan the inbox folder into the ledger, losing nothing and altering nothing.

- `list_inbox(inbox, settings=None) -> list[Path]`: the files ready to ingest (sorted; hidden,
  temporary and still-growing files left out).
- `ingest_file(path, ledger, plans, workdir, *, now=None) -> Report`: ONE file, never raises
  for a bad file (the Prefect flow maps this per file).
- `scan_inbox(inbox, workdir, ledger, plans, settings=None) -> list[Report]`: list + ingest.
- `latest_reports(reports) -> list[Report]`: the supersede rule (see `ledger.supersede`).

Guarantees:
- Inbox files are only read: one sequential read copies the bytes into a private staging
  file while hashing them, and everything after works on that snapshot.
- The same bytes are processed once: a sha256 already in the ledger returns the recorded
  Report untouched (whatever the file is called now).
- Every file ends up recorded with a copy in the workdir:

      WORKDIR/archive/<sha256[:2]>/<sha256><suffix>    accepted and needs_review
      WORKDIR/quarantine/<original name>               rejected (" (2)" added on a clash)
      WORKDIR/quarantine/<original name>.reason.txt    why it was rejected

  `Report.stored_path` is that copy's path relative to the workdir, "/"-separated.
- The received date is the report's own date (letter or stamp) when the content has one,
  else the file's modification time, else the first time the ledger saw the file
  (`Report.received_source`: "content", "mtime", "first_seen"); dates are taken in the
  ministry's time zone (`InboxSettings.timezone`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import UnreadableReport, UnsupportedReport
from core.model import DateSource, Outcome, Plan, Report, ReportReading
from core.settings import resolve_settings
from ledger.db import Ledger
from ledger.supersede import latest_reports, superseded_by

__all__ = [
    "InboxSettings",
    "file_sha256",
    "ingest_file",
    "latest_reports",
    "inbox_files",
    "list_inbox",
    "scan_inbox",
    "settled",
    "signatures",
    "superseded_by",
]

Signature = tuple[int, int] | None  # (size, mtime_ns); None when the file is gone
SETTLE_SECONDS = 2.0  # a file whose size changes within this window is still being copied
TIMEZONE = "Asia/Bishkek"  # where "received on" dates are counted
# Office lock files (~$x.xlsx), editor swap files, browser/rsync partial downloads.
IGNORE_PREFIXES = (".", "~$", "~")
IGNORE_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
IGNORE_NAMES = ("Thumbs.db", "desktop.ini")

ARCHIVE_DIR = "archive"
QUARANTINE_DIR = "quarantine"
STAGING_DIR = ".staging"
REASON_SUFFIX = ".reason.txt"
NAME_MAX_BYTES = 255  # one path component on Linux/macOS/Windows file systems
COPY_CHUNK = 1024 * 1024
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


@dataclass(frozen=True)
class InboxSettings:
    settle_seconds: float = SETTLE_SECONDS
    timezone: str = TIMEZONE
    ignore_prefixes: tuple[str, ...] = IGNORE_PREFIXES
    ignore_suffixes: tuple[str, ...] = IGNORE_SUFFIXES
    ignore_names: tuple[str, ...] = IGNORE_NAMES

    def __post_init__(self) -> None:
        if self.settle_seconds < 0:
            raise ValueError("settle_seconds must be >= 0")
        ZoneInfo(self.timezone)  # fails loudly on a typo

    @classmethod
    def resolve(cls, settings: InboxSettings | Mapping[str, Any] | None) -> InboxSettings:
        return resolve_settings(cls, settings)


# ---------------------------------------------------------------------- listing


def list_inbox(inbox: Path, settings: InboxSettings | None = None) -> list[Path]:
    """Regular files directly in `inbox`, sorted by name, that are ready to ingest.

    Skips sub-folders, symlinks, hidden and temporary files, and any file whose size or
    modification time changes between two looks `settle_seconds` apart (still being copied:
    the next scan takes it).
    """
    settings = InboxSettings.resolve(settings)
    return settled(inbox_files(inbox, settings), settings.settle_seconds)


def inbox_files(inbox: Path, settings: InboxSettings | None = None) -> list[Path]:
    """The candidate files of `inbox` (sorted by name), before the settle check."""
    settings = InboxSettings.resolve(settings)
    return sorted(
        (p for p in Path(inbox).iterdir() if _is_candidate(p, settings)), key=lambda p: p.name
    )


def settled(
    paths: list[Path], seconds: float, first: Mapping[Path, Signature] | None = None
) -> list[Path]:
    """The paths whose size and mtime are the same `seconds` after the `first` look (taken
    now when not given): the others are still being written."""
    first = signatures(paths) if first is None else first
    if seconds and paths:
        time.sleep(seconds)
    return [p for p in paths if first.get(p) is not None and _signature(p) == first[p]]


def signatures(paths: list[Path]) -> dict[Path, Signature]:
    """Each path's (size, mtime) now: the first look of `settled`."""
    return {p: _signature(p) for p in paths}


def _is_candidate(path: Path, settings: InboxSettings) -> bool:
    name = path.name
    if path.is_symlink() or not path.is_file():
        return False
    if name in settings.ignore_names or name.startswith(settings.ignore_prefixes):
        return False
    return not name.lower().endswith(settings.ignore_suffixes)


def _signature(path: Path) -> Signature:
    try:
        st = path.stat()
    except OSError:  # vanished between two looks
        return None
    return st.st_size, st.st_mtime_ns


# ---------------------------------------------------------------------- ingesting


def scan_inbox(
    inbox: Path,
    workdir: Path,
    ledger: Ledger,
    plans: list[Plan],
    settings: InboxSettings | None = None,
) -> list[Report]:
    """Ingest every ready file of the inbox once; one Report per file, in name order."""
    settings = InboxSettings.resolve(settings)
    return [
        ingest_file(path, ledger, plans, workdir, settings=settings)
        for path in list_inbox(inbox, settings)
    ]


def ingest_file(
    path: Path,
    ledger: Ledger,
    plans: list[Plan],
    workdir: Path,
    *,
    now: datetime | None = None,
    settings: InboxSettings | None = None,
) -> Report:
    """Ingest ONE inbox file and return its Report, as recorded in the ledger.

    Already-seen bytes return the recorded Report untouched. Otherwise the file is read
    (`read_document` + `read_report` against `plans[0]`, the plan being tracked, or None),
    dated, copied into the archive or the quarantine and recorded. A file the readers refuse,
    or any unexpected error while reading it, gives a rejected Report with the reason: one
    file never stops a scan. Two cases give a rejected Report that is NOT recorded, so the
    next scan tries again: a file that cannot be read from the inbox (vanished, permission
    denied; empty sha256) and a failure of the workdir or the ledger (disk full, database
    down; the reason says "not recorded").
    """
    settings = InboxSettings.resolve(settings)
    workdir = Path(workdir)
    first_seen = _utc_naive(now or datetime.now(UTC))
    try:
        staged, sha256, size, mtime = _stage(path, workdir)
    except OSError as err:
        return Report(
            path.name, "", 0, first_seen, Outcome.REJECTED, f"cannot read the file: {err}"
        )
    try:
        known = ledger.report(sha256)
        if known is not None:
            return known
        report = _new_report(path.name, staged, sha256, size, mtime, first_seen, plans, settings)
        return _keep(staged, report, ledger, workdir)
    except Exception as err:  # the workdir or the ledger failed, not the file: retry next scan
        reason = f"not recorded, retried next scan: {type(err).__name__}: {err}"
        return Report(path.name, sha256, size, first_seen, Outcome.REJECTED, reason)
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)


def _new_report(
    name: str,
    staged: Path,
    sha256: str,
    size: int,
    mtime: float,
    first_seen: datetime,
    plans: list[Plan],
    settings: InboxSettings,
) -> Report:
    """What the readers make of the staged copy, with the ledger's file facts added."""
    plan = plans[0] if plans else None
    reading = _read(staged, plan, name)
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
    report = replace(report, stored_path=_store(staged, report, workdir))
    ledger.record(report)
    recorded = ledger.report(report.sha256) or report
    if recorded.stored_path != report.stored_path:  # another worker recorded these bytes
        _drop_copy(workdir / report.stored_path)
    return recorded


def _read(staged: Path, plan: Plan | None, file_name: str) -> ReportReading:
    """The readers' verdict; every failure becomes a rejected reading with a reason."""
    # Imported here: the readers pull in spaCy, pdfplumber and friends, which listing the
    # inbox or opening the ledger does not need.
    from extractors.reports import read_document
    from normalizers.report_reading import read_report

    try:
        return read_report(read_document(staged), plan, file_name)
    except (UnsupportedReport, UnreadableReport) as err:
        reason = err.reason
    except Exception as err:  # a reader bug must not stop the scan: record it, go on
        reason = f"unexpected error: {type(err).__name__}: {err}"
    # A library message may quote the path it opened: name the inbox file instead.
    return ReportReading(Outcome.REJECTED, reason.replace(str(staged), file_name))


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


def _stage(path: Path, workdir: Path) -> tuple[Path, str, int, float]:
    """Copy the inbox file into a private staging folder, hashing it in the same single read.

    The copy keeps the original name (readers and their messages see the real name) in a
    folder of its own (workers never collide). Returns (staged copy, sha256, size, the inbox
    file's mtime at the time of the read).
    """
    staging = workdir / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    staged = Path(tempfile.mkdtemp(dir=staging)) / path.name
    try:
        with open(path, "rb") as src, open(staged, "xb") as dst:
            mtime = os.fstat(src.fileno()).st_mtime
            while chunk := src.read(COPY_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
    except BaseException:
        shutil.rmtree(staged.parent, ignore_errors=True)
        raise
    return staged, digest.hexdigest(), size, mtime


def _store(staged: Path, report: Report, workdir: Path) -> str:
    """Move the staged copy to the archive or the quarantine; return its workdir-relative path."""
    if report.outcome == Outcome.REJECTED:
        target = _claim_quarantine(workdir / QUARANTINE_DIR, report)
    else:
        sha = report.sha256
        target = workdir / ARCHIVE_DIR / sha[:2] / f"{sha}{_safe_suffix(report.file)}"
        target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)  # same file system: atomic, a reader never sees half a file
    return target.relative_to(workdir).as_posix()


def _claim_quarantine(folder: Path, report: Report) -> Path:
    """Write `<name>.reason.txt` and return `<name>` for the copy.

    `<name>` is the original name, shortened to fit the file system, with " (n)" added when
    other bytes already hold it. Creating the reason file exclusively claims the name, so two
    workers quarantining same-named files never overwrite each other.
    """
    folder.mkdir(parents=True, exist_ok=True)
    room = NAME_MAX_BYTES - len(REASON_SUFFIX.encode()) - len(b" (9999)")
    stem, suffix = _split_name(_fit_name(report.file, room))
    for n in range(1, 10_000):
        candidate = folder / (f"{stem}{suffix}" if n == 1 else f"{stem} ({n}){suffix}")
        reason = candidate.with_name(candidate.name + REASON_SUFFIX)
        same_bytes = candidate.exists() and file_sha256(candidate) == report.sha256
        if candidate.exists() and not same_bytes:
            continue
        try:
            with open(reason, "w" if same_bytes else "x", encoding="utf-8") as f:
                f.write(_reason_text(report))
        except FileExistsError:
            continue
        return candidate
    raise OSError(f"{folder}: no free quarantine name for {report.file}")


def _drop_copy(path: Path) -> None:
    """Remove a quarantine copy (and its reason) that lost a race for the same bytes."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + REASON_SUFFIX).unlink(missing_ok=True)


def _reason_text(report: Report) -> str:
    return (
        f"file: {report.file}\n"
        f"sha256: {report.sha256}\n"
        f"size: {report.size} bytes\n"
        f"first seen (UTC): {report.first_seen.isoformat(timespec='seconds')}\n"
        f"outcome: {report.outcome}\n"
        f"reason: {report.reason}\n"
    )


def _fit_name(name: str, max_bytes: int) -> str:
    if len(name.encode()) <= max_bytes:
        return name
    stem, suffix = _split_name(name)
    budget = max_bytes - len(suffix.encode()) - len("…".encode())
    short = stem.encode()[:budget].decode("utf-8", errors="ignore")
    return f"{short}…{suffix}"


def _split_name(name: str) -> tuple[str, str]:
    suffix = Path(name).suffix
    return (name[: -len(suffix)], suffix) if _SAFE_SUFFIX.fullmatch(suffix) else (name, "")


def _safe_suffix(name: str) -> str:
    """The lower-cased extension when it looks like one (".xlsx"), else ""."""
    suffix = Path(name).suffix
    return suffix.lower() if _SAFE_SUFFIX.fullmatch(suffix) else ""


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in chunks (the ledger's identity of a file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _utc_naive(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
