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

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from core.errors import UnreadableReport, UnsupportedReport
from core.escape import show_surrogates
from core.model import DateSource, Outcome, Plan, Report, ReportReading, Sighting
from core.settings import resolve_settings
from ledger.db import MAX_TRIES, Ledger
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

# (device, inode, size, mtime_ns) from lstat; None when the file is gone
Signature = tuple[int, int, int, int] | None
SETTLE_SECONDS = 2.0  # a file whose size changes within this window is still being copied
TIMEZONE = "Asia/Bishkek"  # where "received on" dates are counted
# Office lock files (~$x.xlsx), editor swap files, browser/rsync partial downloads.
IGNORE_PREFIXES = (".", "~$", "~")
IGNORE_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
IGNORE_NAMES = ("Thumbs.db", "desktop.ini")

ARCHIVE_DIR = "archive"
QUARANTINE_DIR = "quarantine"
STAGING_DIR = ".staging"
CONVERT_CACHE_DIR = ".convert-cache"  # LibreOffice conversions by sha256 (extractors.convert)
OUT_DIR = "out"  # the views and datasets; a killed writer leaves its .tmp there
REASON_SUFFIX = ".reason.txt"
NAME_MAX_BYTES = 255  # one path component on Linux/macOS/Windows file systems
COPY_CHUNK = 1024 * 1024
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
NAME_CODECS = ("cp1251", "cp866")  # what Windows archives of Kyrgyz/Russian offices hold
_SURROGATE = re.compile("[\ud800-\udfff]")
_CYRILLIC = re.compile("[\u0410-\u044f\u0401\u0451]")  # А-я Ёё; Ћ Ґ are cp866 read as cp1251


@dataclass(frozen=True)
class InboxSettings:
    settle_seconds: float = SETTLE_SECONDS
    timezone: str = TIMEZONE
    ignore_prefixes: tuple[str, ...] = IGNORE_PREFIXES
    ignore_suffixes: tuple[str, ...] = IGNORE_SUFFIXES
    ignore_names: tuple[str, ...] = IGNORE_NAMES
    max_tries: int = MAX_TRIES  # failed reads before a file stays `failed`

    def __post_init__(self) -> None:
        if self.settle_seconds < 0:
            raise ValueError("settle_seconds must be >= 0")
        if self.max_tries < 1:
            raise ValueError("max_tries must be >= 1")
        ZoneInfo(self.timezone)  # fails loudly on a typo

    @classmethod
    def resolve(cls, settings: InboxSettings | Mapping[str, Any] | None) -> InboxSettings:
        return resolve_settings(cls, settings)


# ---------------------------------------------------------------------- listing


@dataclass(frozen=True)
class InboxListing:
    """One look at the inbox: the files ready to ingest, each with its signature at the
    listing (the read refuses a file that changed since), and what was passed over, why."""

    files: list[Path]
    signatures: dict[Path, Signature]
    skipped: list[tuple[str, str]]  # (display name, why), in name order


class ScanResult(list):
    """`scan_inbox`'s Reports (a list, as before) plus the entries the listing skipped."""

    def __init__(self, reports: list[Report], skipped: list[tuple[str, str]]) -> None:
        super().__init__(reports)
        self.skipped = skipped


def list_inbox(inbox: Path, settings: InboxSettings | None = None) -> list[Path]:
    """Regular files directly in `inbox`, sorted by name, that are ready to ingest.

    Skips sub-folders, symlinks, FIFOs and other special files, hidden and temporary files,
    and any file whose size, modification time or identity changes between two looks
    `settle_seconds` apart (still being copied: the next scan takes it).
    """
    return look_inbox(inbox, settings).files


def look_inbox(inbox: Path, settings: InboxSettings | None = None) -> InboxListing:
    """`list_inbox` with the signatures of the files and the skipped entries with reasons."""
    settings = InboxSettings.resolve(settings)
    files, skipped = _candidates(Path(inbox), settings)
    first = signatures(files)
    ready = settled(files, settings.settle_seconds, first)
    taken = set(ready)
    for path in files:
        if path not in taken:
            gone = first[path] is None or _signature(path) is None
            why = (
                "vanished during the scan"
                if gone
                else "still being written (changed while watched)"
            )
            skipped.append((display_name(path.name)[0], why))
    skipped.sort()
    return InboxListing(ready, {p: first[p] for p in ready}, skipped)


def inbox_files(inbox: Path, settings: InboxSettings | None = None) -> list[Path]:
    """The candidate files of `inbox` (sorted by name), before the settle check."""
    return _candidates(Path(inbox), InboxSettings.resolve(settings))[0]


def settled(
    paths: list[Path], seconds: float, first: Mapping[Path, Signature] | None = None
) -> list[Path]:
    """The paths whose identity, size and mtime are the same `seconds` after the `first` look
    (taken now when not given): the others are still being written, or were replaced."""
    first = signatures(paths) if first is None else first
    if seconds and paths:
        time.sleep(seconds)
    return [p for p in paths if first.get(p) is not None and _signature(p) == first[p]]


def signatures(paths: list[Path]) -> dict[Path, Signature]:
    """Each path's (device, inode, size, mtime) now, symlinks not followed: the first look of
    `settled`, and what `ingest_file` compares the opened file with."""
    return {p: _signature(p) for p in paths}


def _candidates(inbox: Path, settings: InboxSettings) -> tuple[list[Path], list[tuple[str, str]]]:
    """Regular files (sorted by name) and the other entries worth naming, with why."""
    files, skipped = [], []
    with os.scandir(inbox) as entries:
        for entry in entries:
            if _ignored(entry.name, settings):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:  # vanished while listing
                continue
            if stat.S_ISREG(mode):
                files.append(Path(entry.path))
            else:
                skipped.append((display_name(entry.name)[0], _not_a_file(mode)))
    return sorted(files, key=lambda p: p.name), skipped


def _ignored(name: str, settings: InboxSettings) -> bool:
    """Hidden, temporary and desktop files: passed over silently."""
    if name in settings.ignore_names or name.startswith(settings.ignore_prefixes):
        return True
    return name.lower().endswith(settings.ignore_suffixes)


def _not_a_file(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)"
    if stat.S_ISDIR(mode):
        return "folder (only files directly in the inbox are read)"
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO), not a file"
    return "special file (device or socket), not a file"


def _signature(path: Path) -> Signature:
    try:
        return _stat_signature(os.lstat(path))
    except OSError:  # vanished between two looks
        return None


def _stat_signature(st: os.stat_result) -> Signature:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def display_name(name: str) -> tuple[str, str]:
    """(safe display name, escaped raw bytes) of a directory entry's name.

    A name that is not UTF-8 (an unzip of a Windows archive leaves cp1251 or cp866 bytes)
    reaches Python with lone surrogates, which no database, file or terminal accepts. It is
    shown decoded with the Cyrillic code page that yields more Cyrillic letters, else with
    the bad bytes written as `\\xNN`; the raw form keeps every byte, escaped. A UTF-8 name is
    returned as is, with an empty raw form.
    """
    if not _SURROGATE.search(name):
        return name, ""
    raw = os.fsencode(name)
    escaped = raw.decode("ascii", errors="backslashreplace")
    decoded = []
    for codec in NAME_CODECS:
        try:
            decoded.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    if not decoded:
        return show_surrogates(name), escaped
    return max(decoded, key=lambda text: len(_CYRILLIC.findall(text))), escaped


# ---------------------------------------------------------------------- ingesting


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
        staged, sha256, size, mtime = _stage(path, workdir, name, listed)
    except OSError as err:
        return Report(name, "", 0, first_seen, Outcome.FAILED, f"cannot read the file: {err}")
    try:
        sighting = _sighting(name, sha256, size, mtime, first_seen, raw_name)
        known = ledger.report(sha256)
        if known is not None and not _retry(known, settings):
            ledger.see(sighting)
            return known
        report = _new_report(name, staged, sha256, size, mtime, first_seen, plans, settings)
        report = _give_up_after(report, known, settings)
        recorded = _keep(staged, report, ledger, workdir)
        ledger.see(sighting)  # after the file row: a sighting names recorded bytes
        if known is not None and known.stored_path not in ("", recorded.stored_path):
            _drop_copy(workdir / known.stored_path)  # the failed try's copy, now replaced
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
) -> Report:
    """What the readers make of the staged copy, with the ledger's file facts added."""
    reading, plan = _read(staged, plans, name, staged.parents[2])  # WORKDIR/.staging/<tmp>/
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


class InboxFileChanged(OSError):
    """The inbox entry is not the regular file the listing saw (swapped for a symlink, a
    FIFO or other bytes, or still growing): it is not read now; the next scan looks again."""


def _stage(
    path: Path, workdir: Path, name: str | None = None, listed: Signature = None
) -> tuple[Path, str, int, float]:
    """Copy the inbox file into a private staging folder, hashing it in the same single read.

    The file is opened without following a symlink and without blocking (a FIFO would wait
    for a writer forever), must be a regular file, and when `listed` is given must be the
    very file the listing saw (device, inode, size, mtime); it must not change while it is
    copied. The copy is called `name` (the display name; readers and their messages see
    it) in a folder of its own (workers never collide). Returns (staged copy, sha256, size,
    the inbox file's mtime at the time of the read).
    """
    staging = workdir / STAGING_DIR
    staging.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    staged = Path(tempfile.mkdtemp(dir=staging)) / (name or display_name(path.name)[0])
    try:
        with _open_listed(path, listed) as src, open(staged, "xb") as dst:
            before = os.fstat(src.fileno())
            while chunk := src.read(COPY_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            if _stat_signature(os.fstat(src.fileno())) != _stat_signature(before) or (
                size != before.st_size
            ):
                raise InboxFileChanged(f"{path.name}: changed while it was read (still written?)")
    except BaseException:
        shutil.rmtree(staged.parent, ignore_errors=True)
        raise
    return staged, digest.hexdigest(), size, before.st_mtime


def _open_listed(path: Path, listed: Signature) -> BinaryIO:
    """The inbox file opened for reading, if it is (still) the regular file listed."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink
            raise InboxFileChanged(f"{path.name}: now a symbolic link (not followed)") from err
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InboxFileChanged(f"{path.name}: now a {_not_a_file(st.st_mode)}")
        if listed is not None and _stat_signature(st) != listed:
            raise InboxFileChanged(f"{path.name}: not the file listed (replaced or changed)")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def clean_leftovers(workdir: Path) -> list[Path]:
    """Remove what a killed run left in the workdir; returns what was removed.

    Staged copies (`.staging/*`), half-written outputs (`out/*.tmp`, `out/**/.*.tmp`) and
    quarantine reason files whose copy never arrived (the run died between claiming the
    name and moving the copy in; the next run would otherwise take "name (2)"). Call it
    only while holding the workdir's run lock: a running scan's staging is live.
    """
    workdir = Path(workdir)
    removed: list[Path] = []
    staging = workdir / STAGING_DIR
    for leftover in sorted(staging.iterdir()) if staging.is_dir() else []:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
        removed.append(leftover)
    out = workdir / OUT_DIR
    for tmp in sorted(out.rglob("*.tmp")) if out.is_dir() else []:
        if tmp.is_file() and not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    quarantine = workdir / QUARANTINE_DIR
    for reason in sorted(quarantine.glob("*" + REASON_SUFFIX)) if quarantine.is_dir() else []:
        if not reason.with_name(reason.name[: -len(REASON_SUFFIX)]).exists():
            reason.unlink(missing_ok=True)
            removed.append(reason)
    return removed


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
