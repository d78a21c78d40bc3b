"""Named exceptions. Library code raises these; the CLI and flows turn them into messages.

Each carries the file it is about, so a message always names the file and the reason.
"""

from __future__ import annotations

from pathlib import Path


class PlanwatchError(Exception):
    """Base class: `str(err)` is one line, `<file>: <reason>`."""

    def __init__(self, path: str | Path | None, reason: str) -> None:
        self.path = str(path) if path is not None else None
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class UnreadableDecree(PlanwatchError):
    """A decree that cannot be read: missing, encrypted, corrupt, image-only, no plan table."""


class UnsupportedReport(PlanwatchError):
    """A report file planwatch has no reader for, or that its reader refuses."""


class UnreadableReport(PlanwatchError):
    """A report whose reader failed: corrupt, encrypted, oversized, zip bomb, no text layer."""


class VocabularyError(PlanwatchError):
    """A shipped or user-supplied vocabulary file (registry, grammar, labels) is invalid."""


class ConfigError(PlanwatchError):
    """A missing or wrong setting; the message names the setting."""


class WorkdirBusy(PlanwatchError):
    """Another planwatch run holds the workdir's lock; the message names its pid and start."""


class WorkdirUnreachable(PlanwatchError):
    """The workdir (archive, quarantine, staging) is missing or read-only where a task runs:
    on a cluster, a worker that does not see the shared workdir at the same path."""
