"""`planwatch report --workdir DIR [--as-of DATE] [--lang ky|ru] [--per-agency]`.

Reads the plans and reports from the ledger, computes compliance as of the day (today in
Asia/Bishkek by default), writes the datasets and the workbook under `WORKDIR/out/`, and
prints the paths and the headline counts. The nightly flow calls the same library functions.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from cli.options import (
    as_of_option,
    coordinator_option,
    lang_option,
    track_from_option,
    workdir_option,
)
from cli.progress import progress
from core.errors import ConfigError
from ledger import LEDGER_FILE

if TYPE_CHECKING:  # the outputs import pandas: loaded once the arguments are known good
    from outputs.compliance import ComplianceResult

OUT_DIR = "out"
REPORT_STEPS = 4  # read the ledger, compute, write datasets, write workbook(s)


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def headline_lines(result: ComplianceResult, lang: str) -> list[str]:
    """The headline counts in words, in the workbook's language (measures and
    (measure, agency) pairs each named for what they are)."""
    from outputs.headline import headline_sentences
    from outputs.labels import load_labels

    labels = load_labels(lang)
    return [labels.as_of(result.as_of), *headline_sentences(result.figures, labels)]


@click.command()
@workdir_option("The folder holding the ledger; outputs go to WORKDIR/out/.")
@as_of_option()
@lang_option()
@click.option(
    "--per-agency",
    is_flag=True,
    help="Also write a reminder package per agency (workbook and letter) under out/agencies/.",
)
@track_from_option()
@coordinator_option()
def command(
    workdir: Path,
    as_of: date | None,
    lang: str,
    per_agency: bool,
    track_from: str | None,
    coordinator: str | None,
) -> None:
    """Build the compliance datasets and the overdue workbook."""
    if not (workdir / LEDGER_FILE).exists():  # answered before SQLAlchemy and pandas load
        raise ConfigError(workdir, f"no ledger ({LEDGER_FILE}) here: run `planwatch ingest` first")
    from outputs.compliance_settings import ComplianceSettings  # light: checks come first

    given = {"track_from": track_from, "coordinator": coordinator}
    settings = ComplianceSettings.resolve({k: v for k, v in given.items() if v})
    day = as_of or today_in(settings.timezone)
    from ledger.db import Ledger
    from outputs.changes import since_last_run, write_changes
    from outputs.compliance import build_compliance
    from outputs.datasets import write_datasets
    from outputs.labels import load_labels
    from outputs.page import write_page
    from outputs.workbook import write_workbook

    with Ledger.for_workdir(workdir) as ledger, progress("report", "steps") as bar:
        plans, reports, sightings = ledger.plans(), ledger.reports(), ledger.sightings()
        if not plans:
            raise ConfigError(
                workdir, "the ledger holds no plan: run `planwatch ingest --decree FILE` first"
            )
        bar.update(1, REPORT_STEPS, "ledger read")
        result = build_compliance(plans, reports, day, settings, sightings)
        since = since_last_run(ledger, result)
        bar.update(2, REPORT_STEPS, "compliance computed")
        out = workdir / OUT_DIR
        paths = write_datasets(result, out) + [write_changes(since.changes, out)]
        bar.update(3, REPORT_STEPS, "datasets written")
        books = write_workbook(result, out, lang=lang, per_agency=per_agency, since=since)
        page = write_page(
            result, out, lang=lang, runs=ledger.runs(), since=since, workbook=books[0]
        )
        bar.update(4, REPORT_STEPS, "workbook written")
    for path in paths + books[1:] + [page]:
        click.echo(str(path))
    click.echo(f"{load_labels(lang).text('workbook_at')} {books[0]}")
    for line in headline_lines(result, lang):
        click.echo(line)
