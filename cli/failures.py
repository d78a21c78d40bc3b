"""A run that could not read some files ends non-zero, naming each: a failure is planwatch's
fault (a reader crashed, the disk or database failed), never a verdict on the file, and the
next run reads those files again. Rejections are verdicts: they do not change the exit."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

from core.escape import for_terminal

EXIT_FILES_FAILED = 1


def exit_if_failed(failed: Iterable[tuple[str, str]]) -> None:
    """Print `error: <file>: <reason>` per failed file and a summary, then exit 1."""
    failed = list(failed)
    if not failed:
        return
    for name, reason in failed:
        click.echo(f"error: {for_terminal(name)}: {for_terminal(reason)}", err=True)
    click.echo(
        f"{len(failed)} file(s) could not be read because of a planwatch fault; "
        "they are read again on the next run",
        err=True,
    )
    sys.exit(EXIT_FILES_FAILED)
