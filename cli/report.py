"""`planwatch report --workdir DIR [--as-of DATE] [--lang ky|ru] [--per-agency]`.

Reads the plans and reports from the ledger, computes compliance as of the day (today in
Asia/Bishkek by default), writes the datasets and the workbook under `WORKDIR/out/`, and
prints the paths and the headline counts. The nightly flow calls the same library functions.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from cli.options import as_of_option, lang_option, workdir_option
from core.errors import ConfigError
from outputs.compliance import ComplianceResult, build_compliance
from outputs.compliance_settings import ComplianceSettings
from outputs.datasets import write_datasets
from outputs.workbook import write_workbook

OUT_DIR = "out"


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def headline_lines(result: ComplianceResult) -> list[str]:
    f = result.figures
    rate = lambda x: "-" if x is None else f"{x:.0%}"  # noqa: E731
    return [
        f"as of {result.as_of.isoformat()}: {f['measures']} measure(s), "
        f"{f['obligated_rows']} (measure, agency) obligation(s) over {f['agencies']} agency(ies)",
        f"overdue: {f['overdue']} obligation(s) on {f['measures_overdue']} measure(s); "
        f"unreported: {f['unreported']}",
        f"reports: {f['received']}/{f['expected']} expected received "
        f"(reporting rate {rate(f['reporting_rate'])}), {f['on_time']} on time "
        f"(on-time rate {rate(f['on_time_rate'])}); review items: {f['review_items']}",
    ]


@click.command()
@workdir_option("The folder holding the ledger; outputs go to WORKDIR/out/.")
@as_of_option()
@lang_option()
@click.option(
    "--per-agency",
    is_flag=True,
    help="Also write one small workbook per agency (its overdue and unreported measures).",
)
def command(workdir: Path, as_of: date | None, lang: str, per_agency: bool) -> None:
    """Build the compliance datasets and the overdue workbook."""
    from ledger.db import LEDGER_FILE, Ledger

    if not (workdir / LEDGER_FILE).exists():
        raise ConfigError(workdir, f"no ledger ({LEDGER_FILE}) here: run `planwatch ingest` first")
    settings = ComplianceSettings()
    day = as_of or today_in(settings.timezone)
    with Ledger.for_workdir(workdir) as ledger:
        plans, reports = ledger.plans(), ledger.reports()
    if not plans:
        raise ConfigError(
            workdir, "the ledger holds no plan: run `planwatch ingest --decree FILE` first"
        )
    result = build_compliance(plans, reports, day, settings)
    out = workdir / OUT_DIR
    paths = write_datasets(result, out) + write_workbook(
        result, out, lang=lang, per_agency=per_agency
    )
    for path in paths:
        click.echo(str(path))
    for line in headline_lines(result):
        click.echo(line)
