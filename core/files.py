"""Writing output files whole, with the permissions the user's umask asks for.

`tempfile.mkstemp` creates its file mode 0600 whatever the umask, and renaming keeps the
mode: every workbook and dataset ended up readable by its owner only, so colleagues on a
shared server could not open the morning workbook. `temp_next_to` makes the temporary file
as `open()` would (0666 minus the umask); `write_atomic` writes through it and renames.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["file_mode", "process_umask", "temp_next_to", "write_atomic"]

TMP_SUFFIX = ".tmp"  # `ledger.inbox.clean_leftovers` removes these after a killed run
_UMASK_LOCK = threading.Lock()
_umask: int | None = None


def process_umask() -> int:
    """The process umask, read once. From /proc on Linux (reading it through `os.umask`
    means setting it for a moment, and a file another thread creates in that moment would
    get the wrong mode); elsewhere set-and-restore under a lock, once."""
    global _umask
    with _UMASK_LOCK:
        if _umask is None:
            _umask = _umask_from_proc()
            if _umask is None:
                _umask = os.umask(0o022)
                os.umask(_umask)
        return _umask


def _umask_from_proc() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def file_mode() -> int:
    """The mode `open(path, "w")` gives a new file: 0666 minus the umask."""
    return 0o666 & ~process_umask()


def temp_next_to(path: Path) -> tuple[int, Path]:
    """A new temporary file in `path`'s folder (created if needed), named `.<name>.*.tmp`,
    with the umask's mode; returns (open descriptor, its path)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, file_mode())
    except BaseException:
        os.close(fd)
        Path(name).unlink(missing_ok=True)
        raise
    return fd, Path(name)


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` on a temporary file next to `path`, then rename it into place: a
    reader never sees half a file, and the file has the umask's permissions."""
    path = Path(path)
    fd, tmp = temp_next_to(path)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
