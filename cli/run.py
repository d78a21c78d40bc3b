"""`planwatch run`: the nightly compliance flow, once, on Prefect's embedded API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from cli.options import LANGS
from core.errors import PlanwatchError
from flows.config import Settings, load_settings
from flows.prefect_env import embedded_run, prepare_prefect_env


def settings_options(fn: Callable) -> Callable:
    """The options every flow command shares; each overrides planwatch.toml and PLANWATCH_*."""
    options = [
        click.option("--config", type=click.Path(path_type=Path), help="planwatch.toml to read."),
        click.option(
            "--decree",
            "decrees",
            multiple=True,
            type=click.Path(path_type=Path),
            help="A decree to track (repeatable).",
        ),
        click.option(
            "--inbox", type=click.Path(path_type=Path), help="Folder staff drop reports into."
        ),
        click.option(
            "--workdir", type=click.Path(path_type=Path), help="Ledger, archive and out/."
        ),
        click.option("--lang", type=click.Choice(LANGS), help="Workbook language."),
        click.option("--dask-address", help="Run per-file work on this Dask scheduler (tcp://…)."),
        click.option("--db-url", help="Shared ledger database (postgresql+psycopg://…)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def schedule_options(fn: Callable) -> Callable:
    """--cron and --timezone, for the commands that schedule the flow (`serve`, `deploy`)."""
    fn = click.option("--timezone", help="Time zone of the schedule (default Asia/Bishkek).")(fn)
    return click.option("--cron", help='Schedule, cron syntax (default "0 2 * * *").')(fn)


def settings_from(
    config: Path | None, *, cron: str | None = None, timezone: str | None = None, **flags: Any
) -> Settings:
    """Settings from the file, the environment and the given flags (None = not given)."""
    return load_settings(config, {"schedule.cron": cron, "schedule.timezone": timezone, **flags})


@click.command()
@settings_options
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Compute as of this day (default: today in Asia/Bishkek).",
)
@click.option("--per-agency", is_flag=True, default=None, help="Also one workbook per agency.")
def command(config: Path | None, as_of: datetime | None, **flags: Any) -> None:
    """Run the nightly compliance flow once and print where the workbook is."""
    settings = settings_from(config, as_of=as_of.date() if as_of else None, **flags)
    prepare_prefect_env(settings.workdir)  # before Prefect is imported
    from flows.nightly import nightly_compliance

    with embedded_run():
        state = nightly_compliance(settings, return_state=True)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PlanwatchError):
        raise outcome
    if not state.is_completed() or isinstance(outcome, BaseException):
        raise click.ClickException(f"the nightly run failed: {state.message or outcome}")
    click.echo(f"workbook: {outcome.workbook}")
    click.echo(outcome.counts_line())
