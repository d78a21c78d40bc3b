"""The one error path of `planwatch`: every failure becomes one line on stderr and an exit code.

- a usage error (bad option, missing argument, wrong date): `error: <what>: <reason>`, exit 2
- a `PlanwatchError` or an `OSError` on a file or folder: `error: <path>: <reason>`, exit 2
- anything else is a bug: one line naming the file the full traceback went to
  (`<workdir>/logs/crash-….txt`), exit 70 (EX_SOFTWARE)
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

import click

from core.errors import PlanwatchError

EXIT_USAGE = 2  # bad input: the user can fix it
EXIT_BUG = 70  # EX_SOFTWARE (sysexits.h): planwatch itself failed
EXIT_INTERRUPTED = 130  # 128 + SIGINT
LOG_DIR = "logs"

_workdir: Path | None = None  # the command's workdir, once known (where crash logs go)


def remember_workdir(workdir: Path | str | None) -> None:
    """Called as soon as a command knows its workdir; crash logs are written under it."""
    global _workdir
    if workdir is not None:
        _workdir = Path(workdir)


def message_and_code(exc: BaseException) -> tuple[str, int]:
    """The one line to print and the exit code for an exception that ended a command."""
    if isinstance(exc, click.exceptions.BadParameter) and exc.message:
        # The option at fault; an argument's value is already the first word of the message.
        option = exc.param.opts[0] if isinstance(exc.param, click.Option) else None
        hint = exc.param_hint or option
        if isinstance(hint, list | tuple):
            hint = " / ".join(hint)
        return f"error: {exc.message}" + (f" ({hint})" if hint else ""), EXIT_USAGE
    if isinstance(exc, click.ClickException):  # usage errors and the commands' own messages
        return f"error: {_one_line(exc.format_message())}", EXIT_USAGE
    if isinstance(exc, PlanwatchError):
        return f"error: {_one_line(str(exc))}", EXIT_USAGE
    if isinstance(exc, OSError):
        return f"error: {os_error_line(exc)}", EXIT_USAGE
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        return "interrupted", EXIT_INTERRUPTED
    log = write_crash_log(exc)
    return (
        f"error: unexpected {type(exc).__name__}: {_one_line(str(exc))[:200]} "
        f"(a bug in planwatch; full traceback in {log})",
        EXIT_BUG,
    )


def os_error_line(exc: OSError) -> str:
    """`<path>: <reason>` from an OSError (`[Errno 20] Not a directory: 'x'` → `x: not a directory`)."""
    reason = (exc.strerror or str(exc)).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    if exc.filename is None:
        return reason
    paths = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{paths}: {reason}"


def write_crash_log(exc: BaseException) -> Path:
    """The traceback under `<workdir>/logs/` (the temp folder when that is not writable)."""
    name = f"crash-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    text = "".join(traceback.format_exception(exc))
    places = [(_workdir or default_workdir()) / LOG_DIR, Path(tempfile.gettempdir())]
    for folder in places:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path.resolve()
        except OSError:
            continue
    return Path("<nowhere: no writable log folder>")


def default_workdir() -> Path:
    try:
        from flows.config import DEFAULT_WORKDIR  # only on a crash: keeps start-up light
    except Exception:  # the crash may be in that very import
        return Path("work")
    return Path(DEFAULT_WORKDIR)


def _one_line(text: str) -> str:
    return " ".join(text.split())
