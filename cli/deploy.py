"""`planwatch deploy`: register the nightly flow with a team's Prefect server and work pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.run import schedule_options, settings_from, settings_options
from flows.defaults import DEPLOYMENT_NAME
from flows.prefect_env import prepare_prefect_env


@click.command()
@settings_options
@click.option("--work-pool", required=True, help="Prefect work pool whose worker runs the flow.")
@schedule_options
@click.option(
    "--name",
    default=DEPLOYMENT_NAME,
    show_default=True,
    help="Deployment name (one per inbox when a server runs several).",
)
def command(
    config: Path | None,
    work_pool: str,
    cron: str | None,
    timezone: str | None,
    name: str,
    **flags: Any,
) -> None:
    """Create or update the nightly deployment on the server at PREFECT_API_URL.
    Start a worker with `prefect worker start --pool <work pool>` on a machine with this
    checkout and access to the inbox. (prefect.yaml + `prefect deploy` does the same.)"""
    settings = settings_from(config, cron=cron, timezone=timezone, **flags)
    prepare_prefect_env(settings.workdir)
    from flows.serve import deploy_nightly

    deployment_id = deploy_nightly(settings, work_pool, name=name)
    click.echo(
        f"deployment nightly-compliance/{name} ({deployment_id}) on pool {work_pool}: "
        f"cron {settings.schedule.cron!r} {settings.schedule.timezone}"
    )
