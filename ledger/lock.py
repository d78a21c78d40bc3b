"""One planwatch run per workdir at a time.

`workdir_lock(workdir)` takes an exclusive `flock` on `WORKDIR/planwatch.lock` and writes
the holder's pid, start time and command into it. A second run fails at once with
`WorkdirBusy` naming the holder. The kernel drops a `flock` when its process dies (even by
kill -9), so a lock is never stale in effect: a lock file whose recorded holder is gone is
taken over, and the take-over is reported so an operator knows the last run was killed.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.errors import WorkdirBusy

LOCK_FILE = "planwatch.lock"


@contextmanager
def workdir_lock(workdir: Path, *, on_stale=None) -> Iterator[Path]:
    """Hold the workdir's lock for the `with` block; `on_stale(text)` hears of a dead holder."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkdirBusy(
                path, f"another planwatch run is using this workdir ({_holder(fd)})"
            ) from None
        previous = _read(fd)
        if previous and on_stale is not None:
            on_stale(
                f"{path}: the previous run ({previous}) ended without releasing it; taken over"
            )
        _write(
            fd,
            f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, {_command()}",
        )
        try:
            yield path
        finally:
            _write(fd, "")  # released cleanly: the next run sees no dead holder
    finally:
        os.close(fd)  # closing drops the flock


def _holder(fd: int) -> str:
    return _read(fd) or "holder unknown"


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096).decode("utf-8", "replace").strip()


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)


def _command() -> str:
    return " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:3]))
