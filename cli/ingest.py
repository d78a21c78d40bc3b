"""`planwatch ingest --inbox DIR --workdir DIR [--decree FILE]`: scan the inbox once.

Loads the decree's plan into the ledger (unless that decree's sha256 is already loaded),
ingests every ready inbox file, prints one row per file and writes `WORKDIR/out/files.csv`
and `WORKDIR/out/entries.csv`. Exit 0 when the scan completed, rejected files included.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.failures import exit_if_failed
from cli.options import decree_option, readable_file, workdir_option
from cli.progress import progress
from core.escape import for_terminal
from core.model import Outcome, Plan, Report
from ledger.listing import InboxSettings, display_name  # no SQLAlchemy: --help stays quick

if TYPE_CHECKING:
    from ledger.db import Ledger

OUT_DIR = "out"
# Column widths of the printed table; long names and reasons are cut with "…".
WIDTHS = {"file": 44, "agency": 8, "period": 7, "linked": 15, "outcome": 12}
REASON_WIDTH = 70


@click.command()
@click.option(
    "--inbox",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder the agencies' report files are dropped into (only read).",
)
@workdir_option("Where the ledger, archive/, quarantine/ and out/ live (created).")
@decree_option("The decree whose action plan the reports are read against.", must_exist=True)
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=InboxSettings().settle_seconds,
    show_default=True,
    help="Seconds a file's size must stay unchanged before it is taken.",
)
def command(inbox: Path, workdir: Path, decree: Path, settle: float) -> None:
    """Scan the inbox once and record every file in the ledger."""
    workdir.mkdir(parents=True, exist_ok=True)  # an unusable workdir answers before SQLAlchemy
    readable_file(decree)  # and so does an unreadable decree
    # The ledger's modules load SQLAlchemy: imported once the arguments are known good.
    from ledger.db import Ledger
    from ledger.inbox import clean_leftovers, ingest_file, look_inbox
    from ledger.lock import workdir_lock
    from outputs.ledger_views import write_ledger_views

    started = datetime.now(UTC).replace(tzinfo=None)
    settings = InboxSettings(settle_seconds=settle)
    with workdir_lock(workdir, on_stale=warn), Ledger.for_workdir(workdir) as ledger:
        clean_leftovers(workdir)  # what a killed run left (staged copies, out/*.tmp)
        plans = [load_plan(ledger, decree)]
        listing = look_inbox(inbox, settings)
        files = listing.files
        reports: list[Report] = []
        with progress("ingest", "files") as bar:  # stderr: a bar on a terminal, lines in logs
            for p in files:
                sig = listing.signatures[p]
                reports.append(
                    ingest_file(p, ledger, plans, workdir, settings=settings, listed=sig)
                )
                rejected = sum(r.outcome == Outcome.REJECTED for r in reports)
                bar.update(len(reports), len(files), f"{rejected} rejected")
        views = write_ledger_views(ledger, workdir / OUT_DIR)
    names = [display_name(p.name)[0] for p in files]
    new = {r.sha256: r for r in reports if r.first_seen >= started}
    click.echo(format_table(names, reports, set(new)))
    if listing.skipped:
        click.echo(format_skipped(listing.skipped))
    click.echo(summary_line(len(files), list(new.values())))
    click.echo("views: " + ", ".join(str(p) for p in views))
    exit_if_failed(
        (n, r.reason) for n, r in zip(names, reports, strict=True) if r.outcome == Outcome.FAILED
    )


def warn(text: str) -> None:
    click.echo(f"warning: {for_terminal(text)}", err=True)


def load_plan(ledger: Ledger, decree: Path) -> Plan:
    """The decree's normalized plan, read and stored only the first time its bytes are seen."""
    from ledger.copies import file_sha256

    try:
        sha256 = file_sha256(decree)
    except OSError as err:  # a read error carries no file name: the line must name it
        raise OSError(err.errno, err.strerror, str(decree)) from err
    known = ledger.plan_by_sha(sha256)
    if known is not None:
        return known
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    plan = normalize_plan(read_decree(decree))
    ledger.save_plan(plan)
    return plan


def format_table(names: list[str], reports: list[Report], new: set[str]) -> str:
    """One row per inbox file; `*` after the outcome: the bytes were in the ledger before."""
    header = ("file", "agency", "period", "linked/unlinked", "outcome", "reason")
    rows = [header] + [_row(n, r, r.sha256 in new) for n, r in zip(names, reports, strict=True)]
    widths = [*WIDTHS.values(), REASON_WIDTH]
    return "\n".join(
        "  ".join(_cut(cell, w).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def format_skipped(skipped: list[tuple[str, str]]) -> str:
    """The inbox entries not taken (symlinks, folders, FIFOs, files still being written)."""
    lines = [f"skipped {len(skipped)}:"]
    lines += [f"  {_cut(name, WIDTHS['file'])}  {_cut(why, REASON_WIDTH)}" for name, why in skipped]
    return "\n".join(lines)


def summary_line(n_files: int, new: list[Report]) -> str:
    counts = {o: sum(1 for r in new if r.outcome == o) for o in Outcome}
    return (
        f"{n_files} file(s) scanned: {len(new)} new "
        f"({counts[Outcome.ACCEPTED]} accepted, {counts[Outcome.NEEDS_REVIEW]} needs review, "
        f"{counts[Outcome.REJECTED]} rejected), {n_files - len(new)} already in the ledger (*)"
    )


def _row(name: str, r: Report, is_new: bool) -> tuple[str, ...]:
    from outputs.ledger_views import linked_count

    linked = linked_count(r)
    reason = r.reason
    if r.file != name and r.sha256:
        reason = f"same bytes as {r.file}" + (f"; {reason}" if reason else "")
    return (
        name,
        r.agency or "-",
        str(r.period) if r.period else "-",
        f"{linked}/{len(r.entries) - linked}",
        str(r.outcome) if is_new and r.file == name else f"{r.outcome}*",
        reason or "-",
    )


def _cut(text: str, width: int) -> str:
    """One terminal-safe cell (file names and reasons are untrusted), cut to `width`."""
    text = " ".join(for_terminal(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"
