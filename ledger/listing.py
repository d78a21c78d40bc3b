"""Looking at the inbox: which entries are files ready to ingest, which are passed over and
why, and the name each is shown under.

- `look_inbox(inbox, settings) -> InboxListing`: ready files (sorted), each with its
  signature (device, inode, size, mtime) at the listing, and the skipped entries with why
  (symlinks, folders, FIFOs, still-growing files, temporary names).
- `list_inbox`, `inbox_files`, `settled`, `signatures`: the pieces, for the flows.
- `display_name(name) -> (display, raw)`: a file system name that is not UTF-8 (a cp1251
  name left by an unzip) shown in readable Cyrillic, its raw bytes kept escaped.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.escape import show_surrogates
from core.settings import resolve_settings
from ledger import MAX_TRIES  # not ledger.db: listing stays free of SQLAlchemy

SETTLE_SECONDS = 2.0  # a file whose size changes within this window is still being copied
TIMEZONE = "Asia/Bishkek"  # where "received on" dates are counted
# Office lock files (~$x.xlsx), editor swap files, browser/rsync partial downloads.
IGNORE_PREFIXES = (".", "~$", "~")
IGNORE_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
IGNORE_NAMES = ("Thumbs.db", "desktop.ini")

NAME_CODECS = ("cp1251", "cp866")  # what Windows archives of Kyrgyz/Russian offices hold
_SURROGATE = re.compile("[\ud800-\udfff]")
_CYRILLIC = re.compile("[\u0410-\u044f\u0401\u0451]")  # А-я Ёё; Ћ Ґ are cp866 read as cp1251


# (device, inode, size, mtime_ns) from lstat; None when the file is gone
Signature = tuple[int, int, int, int] | None
SETTLE_SECONDS = 2.0  # a file whose size changes within this window is still being copied
TIMEZONE = "Asia/Bishkek"  # where "received on" dates are counted
# Office lock files (~$x.xlsx), editor swap files, browser/rsync partial downloads.
IGNORE_PREFIXES = (".", "~$", "~")
IGNORE_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".swp", "~")
IGNORE_NAMES = ("Thumbs.db", "desktop.ini")


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
                skipped.append((display_name(entry.name)[0], not_a_file(mode)))
    return sorted(files, key=lambda p: p.name), skipped


def _ignored(name: str, settings: InboxSettings) -> bool:
    """Hidden, temporary and desktop files: passed over silently."""
    if name in settings.ignore_names or name.startswith(settings.ignore_prefixes):
        return True
    return name.lower().endswith(settings.ignore_suffixes)


def not_a_file(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symbolic link (not followed)"
    if stat.S_ISDIR(mode):
        return "folder (only files directly in the inbox are read)"
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO), not a file"
    return "special file (device or socket), not a file"


def _signature(path: Path) -> Signature:
    try:
        return stat_signature(os.lstat(path))
    except OSError:  # vanished between two looks
        return None


def stat_signature(st: os.stat_result) -> Signature:
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
