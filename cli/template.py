"""`planwatch template AGENCY --period 2019-H1 --out FILE.xlsx [--decree FILE] [--lang ky|ru]`.

Writes a workbook pre-filled with the measures AGENCY must carry out; a filled copy dropped
into the inbox is read back exactly (rows linked by their id column).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.options import checked_output, decree_option, lang_option
from cli.vocab_args import agency_code, parse_period
from core.model import Period

OUT_SUFFIXES = (".xlsx",)


def check_in_plan(period: Period, years: tuple[int, int] | None) -> None:
    if years and not years[0] <= period.year <= years[1]:
        raise click.BadParameter(
            f"{period}: outside the plan's years {years[0]}-{years[1]}",
            param_hint="--period",
        )


@click.command()
@click.argument("agency")
@click.option(
    "--period",
    "period_text",
    required=True,
    help="Reporting period: 2019-H1, 2019-1, 1 полугодие 2019, 2019 (within the plan's years).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (.xlsx), in a folder that exists.",
)
@decree_option("The decree whose plan the template lists.", must_exist=True)
@lang_option("Language of the labels.")
def command(agency: str, period_text: str, out: Path, decree: Path, lang: str) -> None:
    """Write a pre-filled report workbook for AGENCY (code or name) and one period."""
    # Cheapest checks first: a slip is answered before the decree is read or spaCy loads.
    checked_output(out, OUT_SUFFIXES)
    period = parse_period(period_text)
    code = agency_code(agency)
    from extractors.decree import read_decree, title_years

    check_in_plan(period, title_years(decree))  # converter text: from its title alone
    plan = read_decree(decree)
    check_in_plan(period, plan.years)  # every form: before normalizing
    from normalizers.plan_normalize import normalize_plan
    from outputs.report_template import agency_measures, write_template

    plan = normalize_plan(plan)
    count = len(agency_measures(plan, code))
    if not count:
        raise click.ClickException(f"{code} has no measures of its own in {decree.name}")
    path = write_template(plan, code, period, out, lang)
    click.echo(f"wrote {path}: {count} measures for {code}, {period}")
