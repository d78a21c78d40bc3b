"""The workdir's copies of inbox files: staged (read once, safely), archived, quarantined.

      WORKDIR/.staging/<private>/<name>                 while one worker reads it
      WORKDIR/archive/<sha256[:2]>/<sha256><suffix>    accepted, needs_review and failed
      WORKDIR/quarantine/<original name>               rejected (" (2)" added on a clash)
      WORKDIR/quarantine/<original name>.reason.txt    why it was rejected

The inbox is only read: `stage` opens without following links or blocking, checks it is the
very file the listing saw, and copies it while hashing. `clean_leftovers` removes what a
killed run left behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from core.model import Outcome, Report
from ledger.listing import Signature, display_name, not_a_file, stat_signature

ARCHIVE_DIR = "archive"
QUARANTINE_DIR = "quarantine"
STAGING_DIR = ".staging"
CONVERT_CACHE_DIR = ".convert-cache"  # LibreOffice conversions by sha256 (extractors.convert)
OUT_DIR = "out"  # the views and datasets; a killed writer leaves its .tmp there
REASON_SUFFIX = ".reason.txt"
NAME_MAX_BYTES = 255  # one path component on Linux/macOS/Windows file systems
COPY_CHUNK = 1024 * 1024
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


class InboxFileChanged(OSError):
    """The inbox entry is not the regular file the listing saw (swapped for a symlink, a
    FIFO or other bytes, or still growing): it is not read now; the next scan looks again."""


def stage(
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
            if stat_signature(os.fstat(src.fileno())) != stat_signature(before) or (
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
            raise InboxFileChanged(f"{path.name}: now a {not_a_file(st.st_mode)}")
        if listed is not None and stat_signature(st) != listed:
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


def store(staged: Path, report: Report, workdir: Path) -> str:
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


def drop_copy(path: Path) -> None:
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
