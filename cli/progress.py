"""Signs of life during long work, for people at a terminal and for logs.

Library code takes the tiny protocol `on_progress: Callable[[int, int], None] | None` and
calls it with (done, total) as it goes; it never imports this module or rich. The commands
make the callback here:

    with progress("ingest", "files") as bar:
        for i, path in enumerate(files, 1):
            ...
            bar.update(i, len(files), note=f"{rejected} rejected")
        bar.finish("500 files: 497 accepted, 3 rejected")

On a terminal (stderr is a TTY) it draws a rich progress bar; elsewhere (CI, cron, systemd)
it prints a plain line every PLAIN_EVERY_S seconds, and the last one once it has printed
any: `ingest: 120/500 files, 3 rejected` (work done within the interval prints none). The summary always goes to stdout, in plain words.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click

OnProgress = Callable[[int, int], None]  # (done, total): what library code accepts
PLAIN_EVERY_S = 5.0  # a line every 5 s keeps a log readable and a stuck run visible


class Progress:
    """One piece of work with a count: a bar on a terminal, periodic lines otherwise."""

    def __init__(
        self,
        label: str,
        unit: str,
        *,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        every_s: float = PLAIN_EVERY_S,
    ) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.every_s = every_s
        self.done, self.total, self.note = 0, 0, ""
        self._last_line = time.monotonic()  # quick work prints nothing: first line after every_s
        self._bar = None
        self._task = None
        self.printed = False  # a plain line went out: the last one is printed too

    def __call__(self, done: int, total: int) -> None:
        """The `on_progress` callback handed to library code."""
        self.update(done, total)

    def update(self, done: int, total: int, note: str = "") -> None:
        self.done, self.total, self.note = done, total, note or self.note
        if self.interactive:
            self._draw()
        elif time.monotonic() - self._last_line >= self.every_s or (done >= total and self.printed):
            self._print_line()

    def step(self, note: str) -> None:
        """One more of `total` named steps done (the report command: read, compute, write)."""
        self.update(self.done + 1, max(self.total, self.done + 1), note)

    def line(self) -> str:
        note = f", {self.note}" if self.note else ""
        return f"{self.label}: {self.done}/{self.total} {self.unit}{note}"

    def finish(self, summary: str | None = None) -> None:
        """Stop drawing; print the summary in plain words (stdout), if any."""
        self.close()
        if summary:
            click.echo(summary)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _print_line(self) -> None:
        self._last_line, self.printed = time.monotonic(), True
        click.echo(self.line(), file=self.stream)

    def _draw(self) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(self.unit),
                TimeRemainingColumn(),
                TextColumn("{task.fields[note]}"),
                console=Console(file=self.stream),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.total or None, note="")
        self._bar.update(self._task, completed=self.done, total=self.total, note=self.note)


@contextmanager
def progress(label: str, unit: str, **options) -> Iterator[Progress]:
    """A Progress that always stops drawing, even when the work raises."""
    bar = Progress(label, unit, **options)
    try:
        yield bar
    finally:
        bar.close()
