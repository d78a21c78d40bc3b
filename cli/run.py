"""`planwatch run`: the nightly compliance flow, once, on Prefect's embedded API."""

from __future__ import annotations

import os
from collections.abc import Callable, MutableMapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.errors import remember_workdir
from cli.failures import exit_if_failed
from cli.options import (
    LANGS,
    RELATIVE_NOTE,
    as_of_option,
    coordinator_option,
    readable_file,
    track_from_option,
)
from core.model import Outcome
from flows.defaults import (
    CONFIG_FILE,
    DEFAULT_CRON,
    DEFAULT_LANG,
    DEFAULT_TIMEZONE,
    DEFAULT_WORKDIR,
    ENV_CONFIG,
)
from flows.prefect_env import embedded_run, prepare_prefect_env

PREFECT_CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"  # logging.yml's console handler

if TYPE_CHECKING:  # pydantic loads only once the arguments are parsed (--help stays quick)
    from flows.config import Settings


def settings_options(fn: Callable) -> Callable:
    """The options every flow command shares; each overrides planwatch.toml and PLANWATCH_*.
    Paths given as flags are checked here, before pydantic loads for the settings."""
    options = [
        click.option(
            "--config",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            show_default=f"./{CONFIG_FILE} if present, or ${ENV_CONFIG}",
            help="planwatch.toml to read.",
        ),
        click.option(
            "--decree",
            "decrees",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            show_default="the decrees in the configuration",
            help="A decree to track (repeatable).",
        ),
        click.option(
            "--inbox",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            show_default="from the configuration or $PLANWATCH_INBOX",
            help="Folder staff drop reports into.",
        ),
        click.option(
            "--workdir",
            type=click.Path(file_okay=False, path_type=Path),
            show_default=DEFAULT_WORKDIR,
            help=f"Ledger, archive and out/. {RELATIVE_NOTE}",
        ),
        click.option(
            "--lang", type=click.Choice(LANGS), show_default=DEFAULT_LANG, help="Workbook language."
        ),
        track_from_option(),
        coordinator_option(),
        click.option(
            "--dask-address",
            show_default="none: threads in this process",
            help="Run per-file work on this Dask scheduler (tcp://…).",
        ),
        click.option(
            "--db-url",
            show_default="SQLite under the workdir",
            help="Shared ledger database (postgresql+psycopg://…).",
        ),
        click.option(
            "--verbose", is_flag=True, help="Show Prefect's own log lines (hidden by default)."
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def schedule_options(fn: Callable) -> Callable:
    """--cron and --timezone, for the commands that schedule the flow (`serve`, `deploy`)."""
    fn = click.option(
        "--timezone", show_default=DEFAULT_TIMEZONE, help="Time zone of the schedule."
    )(fn)
    return click.option("--cron", show_default=DEFAULT_CRON, help="Schedule, cron syntax.")(fn)


def settings_from(
    config: Path | None, *, cron: str | None = None, timezone: str | None = None, **flags: Any
) -> Settings:
    """Settings from the file, the environment and the given flags (None = not given)."""
    from flows.config import load_settings

    flags.pop("verbose", None)  # a display choice, not a setting
    settings = load_settings(
        config, {"schedule.cron": cron, "schedule.timezone": timezone, **flags}
    )
    remember_workdir(settings.workdir)
    check_compliance_settings(settings)
    return settings


def check_compliance_settings(settings: Settings) -> None:
    """--track-from and --coordinator as the compliance task will read them, checked now:
    inside the flow, Prefect would log the task's traceback before planwatch's one line."""
    from outputs.compliance_settings import ComplianceSettings

    ComplianceSettings(
        due_day=settings.due_day,
        timezone=settings.schedule.timezone,
        track_from=settings.track_from,
        coordinator=settings.coordinator,
    )


@click.command()
@settings_options
@as_of_option("Compute as of this day.")
@click.option("--per-agency", is_flag=True, default=None, help="Also one workbook per agency.")
def command(config: Path | None, as_of: date | None, verbose: bool, **flags: Any) -> None:
    """Run the nightly compliance flow once and print where the workbook is."""
    settings = settings_from(config, as_of=as_of, **flags)
    for decree in settings.decrees:  # before Prefect starts, which would log a traceback
        readable_file(decree)
    prepare_prefect_env(settings.workdir)  # before Prefect is imported
    quiet_prefect(verbose)
    if not settings.dask_address:  # the embedded API starts while the flow's modules import
        from flows.embedded_api import start_early

        start_early()
    from cli.progress import progress
    from flows.nightly import nightly_compliance, reporting_progress

    with (
        embedded_run(dask_address=settings.dask_address),
        progress("run: ingest", "files") as bar,
        reporting_progress(bar),
    ):
        state = nightly_compliance(settings, return_state=True)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, BaseException):
        raise outcome  # cli.main turns it into one line (and a crash log if it is a bug)
    if not state.is_completed():
        raise click.ClickException(f"the nightly run failed: {state.message}")
    click.echo(f"workbook: {outcome.workbook}")
    click.echo(outcome.counts_line())
    click.echo("\n".join(staff_lines(outcome.figures, settings.lang)))
    exit_if_failed(
        (o.file, o.reason) for o in outcome.inbox.outcomes if o.outcome == Outcome.FAILED
    )


def quiet_prefect(verbose: bool, env: MutableMapping[str, str] | None = None) -> None:
    """Prefect's own console lines ("Finished in state Completed()") only with --verbose;
    warnings still show, and the API (the UI's run logs) still gets everything. Call before
    Prefect is imported: it reads its logging configuration then."""
    env = os.environ if env is None else env
    if not verbose:
        env.setdefault(PREFECT_CONSOLE_LEVEL, "WARNING")


def staff_lines(figures: dict, lang: str) -> list[str]:
    """The headline counts in words, in the workbook's language (outputs.headline)."""
    from outputs.headline import headline_sentences
    from outputs.labels import load_labels

    return headline_sentences(figures, load_labels(lang))
