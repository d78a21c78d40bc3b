"""What a nightly run reports: per-file outcomes, the run summary, and its Prefect artifacts.

Prefect serializes artifact tables as JSON: one pandas Timestamp, numpy integer or NaN in a
record fails the whole flow run, so every record goes through `json_safe` first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.escape import for_markdown

SUMMARY_KEY = "planwatch-nightly-summary"  # artifact keys: lowercase letters, digits, dashes
AGENCIES_KEY = "planwatch-agencies"
PAGE_KEY = "planwatch-page"
FAILED = "failed"  # a file the run could not read (not recorded: the next run tries again)
DUPLICATE = "duplicate"  # same bytes as another file: recorded once, under the other name
AGENCY_TABLE_COLUMNS = ("agency", "measures", "overdue", "unreported", "expected", "received")


@dataclass(frozen=True)
class FileOutcome:
    """One inbox file as this run saw it."""

    file: str
    outcome: str  # an Outcome value, or FAILED
    reason: str = ""
    agency: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class InboxRun:
    """What `ingest_inbox` did: the new files, each accounted for, and the known ones."""

    outcomes: tuple[FileOutcome, ...] = ()
    known: int = 0  # files whose bytes were already in the ledger: not processed again
    # inbox entries not taken, with why: symlinks, folders, FIFOs, files still being written
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def processed(self) -> int:
        return len(self.outcomes)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


@dataclass(frozen=True)
class NightlySummary:
    """The result of `nightly_compliance`, small and picklable."""

    as_of: date
    plans: tuple[str, ...]
    inbox: InboxRun
    workbooks: tuple[Path, ...] = ()
    datasets: tuple[Path, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)  # JSON-safe headline figures

    @property
    def workbook(self) -> Path | None:
        return self.workbooks[0] if self.workbooks else None

    @property
    def page(self) -> Path | None:
        """The HTML page written beside the workbook (`overdue-<as_of>.<lang>.html`)."""
        page = self.workbook.with_suffix(".html") if self.workbook else None
        return page if page is not None and page.is_file() else None

    def counts_line(self) -> str:
        run, f = self.inbox, self.figures
        return (
            f"files: {run.processed} new ({run.count('accepted')} accepted, "
            f"{run.count('needs_review')} to review, {run.count('rejected')} rejected, "
            f"{run.count(FAILED)} failed, {run.count(DUPLICATE)} duplicate), "
            f"{run.known} already in the ledger; "
            f"overdue: {f.get('overdue', 0)} (measure, agency) rows, "
            f"unreported: {f.get('unreported', 0)}, "
            f"reports received: {f.get('received', 0)}/{f.get('expected', 0)} expected"
        )


# --------------------------------------------------------------------------- JSON safety


def json_safe(value: Any) -> Any:
    """A value Prefect can serialize as JSON: dates as ISO text, NaN/NA as None, numpy
    scalars as Python numbers, paths as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp | datetime | date):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return json_safe(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def frame_to_records(frame: pd.DataFrame, columns: Iterable[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in frame.columns]
    return [
        {c: json_safe(v) for c, v in zip(cols, row, strict=True)}
        for row in frame[cols].itertuples(index=False, name=None)
    ]


def agency_records(agencies: pd.DataFrame) -> list[dict[str, Any]]:
    """Per agency: overdue and unreported counts, worst first (the table artifact)."""
    if agencies.empty:
        return []
    ordered = agencies.sort_values(
        ["overdue", "unreported", "agency"], ascending=[False, False, True]
    )
    return frame_to_records(ordered, AGENCY_TABLE_COLUMNS)


# --------------------------------------------------------------------------- markdown


def summary_markdown(summary: NightlySummary) -> str:
    f = summary.figures
    lines = [
        f"# planwatch — as of {summary.as_of.isoformat()}",
        "",
        f"**Workbook:** {_path(summary.workbook)}" if summary.workbook else "**Workbook:** none",
        "",
        *([f"**Page:** {_path(summary.page)}", ""] if summary.page else []),
        f"Plans: {for_markdown(', '.join(summary.plans)) or 'none'}",
        "",
        "| figure | value |",
        "|---|---|",
        f"| new files | {summary.inbox.processed} |",
        f"| already in the ledger | {summary.inbox.known} |",
    ]
    for key in ("accepted", "needs_review", "rejected", FAILED, DUPLICATE):
        lines.append(f"| {key.replace('_', ' ')} | {summary.inbox.count(key)} |")
    for key in ("overdue", "measures_overdue", "unreported", "expected", "received", "on_time"):
        if key in f:
            lines.append(f"| {key.replace('_', ' ')} | {f[key]} |")
    problems = [
        o
        for o in summary.inbox.outcomes
        if o.outcome in ("rejected", "needs_review", FAILED, DUPLICATE)
    ]
    if problems:
        lines += [
            "",
            "## Files that need a look",
            "",
            "| file | outcome | reason |",
            "|---|---|---|",
        ]
        lines += [_row(o.file, o.outcome, o.reason) for o in problems]
    if summary.inbox.skipped:
        lines += ["", "## Inbox entries skipped", "", "| entry | why |", "|---|---|"]
        lines += [_row(name, why) for name, why in summary.inbox.skipped]
    return "\n".join(lines) + "\n"


def _path(path: Path) -> str:
    """A path as inline code (its text shown as is) unless it could end the code span."""
    text = str(path)
    if "`" in text or not text.isprintable():  # a backtick or a line break ends it
        return for_markdown(text)
    return f"`{text}`"


def _row(*cells: str) -> str:
    """A markdown table row of untrusted text (file names, reader reasons): core.escape
    keeps HTML, links and row breaks out of it."""
    return "| " + " | ".join(for_markdown(c) for c in cells) + " |"


# --------------------------------------------------------------------------- publishing


def publish_artifacts(summary: NightlySummary, agencies: pd.DataFrame) -> None:
    """The markdown summary and the per-agency table, visible in the Prefect UI."""
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    create_markdown_artifact(
        key=SUMMARY_KEY,
        markdown=summary_markdown(summary),
        description=f"planwatch nightly run, as of {summary.as_of.isoformat()}",
    )
    create_table_artifact(
        key=AGENCIES_KEY,
        table=agency_records(agencies),
        description="Overdue and unreported (measure, agency) rows per agency",
    )
    if summary.page:  # a file:// link (percent-encoded: no markdown in it), the name escaped
        create_link_artifact(
            key=PAGE_KEY,
            link=summary.page.resolve().as_uri(),
            link_text=for_markdown(summary.page.name),
            description=f"planwatch page, as of {summary.as_of.isoformat()}",
        )
