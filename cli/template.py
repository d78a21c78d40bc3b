"""`planwatch template AGENCY --period 2019-H1 --out FILE.xlsx [--decree FILE] [--lang ky|ru]`.

Writes a workbook pre-filled with the measures AGENCY must carry out; a filled copy dropped
into the inbox is read back exactly (rows linked by their id column).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from cli.options import checked_output, decree_option, lang_option
from core.model import Period, Plan

SUGGESTIONS = 3  # closest registry names offered for an unknown agency
OUT_SUFFIXES = (".xlsx",)


def agency_code(name: str) -> str:
    """A registry code from a code, an abbreviation or a full name, in either language."""
    from normalizers.agencies import registry, resolve

    if name in registry().agencies:
        return name
    codes = {r.code for r in resolve(name) if r.code and r.confident and not r.is_group}
    if len(codes) == 1:
        return codes.pop()
    if codes:
        reason = f"names several agencies: {', '.join(sorted(codes))}"
    else:
        reason = "not a known agency; closest: " + ", ".join(closest_agencies(name))
    raise click.BadParameter(f"{name}: {reason}", param_hint="AGENCY")


def closest_agencies(name: str, limit: int = SUGGESTIONS) -> list[str]:
    """`code (name)` of the registry bodies whose code, abbreviations or names are nearest."""
    from rapidfuzz import fuzz, process

    from normalizers.agencies import registry

    agencies = registry().agencies
    forms = {(code, form): form for code, a in agencies.items() for form in a.forms() if form}
    found: list[str] = []
    for _, _, (code, _) in process.extract(name, forms, scorer=fuzz.WRatio, limit=limit * 8):
        if code not in found:
            found.append(code)
    return [_label(agencies[code]) for code in found[:limit]]


def _label(agency) -> str:
    other = next((a for a in (*agency.ru_abbr, *agency.ky_abbr) if a != agency.code), None)
    return f"{agency.code} ({other})" if other else agency.code


def parse_period(text: str) -> Period:
    """Every form the report reader accepts: 2020-H1, 2020-h1, 2020-1, 1 полугодие 2020, 2020."""
    try:
        return Period.parse(text)
    except ValueError:
        pass
    from normalizers.deadlines import parse_period as read_period

    # The reader takes "2020-h3" for the year 2020; typed on purpose it is a mistake.
    bad_half = re.fullmatch(r"\s*\d{4}\s*-\s*[hH]?(\d+)\s*", text)
    period = None if bad_half and bad_half[1] not in ("1", "2") else read_period(text)
    if period is None:
        raise click.BadParameter(
            f"{text}: not a period (e.g. 2019-H1, 2019-1, 1 полугодие 2019 or 2019)",
            param_hint="--period",
        )
    return period


def check_in_plan(period: Period, plan: Plan) -> None:
    if plan.years and not plan.years[0] <= period.year <= plan.years[1]:
        raise click.BadParameter(
            f"{period}: outside the plan's years {plan.years[0]}-{plan.years[1]}",
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
    checked_output(out, OUT_SUFFIXES)
    period = parse_period(period_text)
    code = agency_code(agency)
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan
    from outputs.report_template import agency_measures, write_template

    plan = normalize_plan(read_decree(decree))
    check_in_plan(period, plan)
    count = len(agency_measures(plan, code))
    if not count:
        raise click.ClickException(f"{code} has no measures of its own in {decree.name}")
    path = write_template(plan, code, period, out, lang)
    click.echo(f"wrote {path}: {count} measures for {code}, {period}")
