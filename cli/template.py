"""`planwatch template AGENCY --period 2019-H1 --out FILE.xlsx [--decree FILE] [--lang ky|ru]`.

Writes a workbook pre-filled with the measures AGENCY must carry out; a filled copy dropped
into the inbox is read back exactly (rows linked by their id column).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.options import decree_option, lang_option
from core.model import Period


def agency_code(name: str) -> str:
    """A registry code from a code, an abbreviation or a full name, in either language."""
    from normalizers.agencies import registry, resolve

    if name in registry().agencies:
        return name
    codes = {r.code for r in resolve(name) if r.code and r.confident and not r.is_group}
    if len(codes) != 1:
        found = f" (matches {', '.join(sorted(codes))})" if codes else ""
        raise click.BadParameter(f"not one known agency: {name!r}{found}", param_hint="AGENCY")
    return codes.pop()


@click.command()
@click.argument("agency")
@click.option(
    "--period", "period_text", required=True, help="Reporting period: 2019-H1, 2019-H2 or 2019."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (.xlsx).",
)
@decree_option("The decree whose plan the template lists.")
@lang_option("Language of the labels.")
def command(agency: str, period_text: str, out: Path, decree: Path, lang: str) -> None:
    """Write a pre-filled report workbook for AGENCY (code or name) and one period."""
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan
    from outputs.report_template import agency_measures, write_template

    try:
        period = Period.parse(period_text)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--period") from err
    code = agency_code(agency)
    plan = normalize_plan(read_decree(decree))
    count = len(agency_measures(plan, code))
    if not count:
        raise click.ClickException(f"{code} has no measures of its own in {decree.name}")
    path = write_template(plan, code, period, out, lang)
    click.echo(f"wrote {path}: {count} measures for {code}, {period}")
