"""`planwatch serve`: the nightly flow on its schedule, until stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.run import schedule_options, settings_from, settings_options
from flows.prefect_env import prepare_prefect_env


@click.command()
@settings_options
@schedule_options
@click.option(
    "--port",
    type=int,
    default=None,
    help="Port of the Prefect server started when PREFECT_API_URL is not set (default 4200).",
)
def command(
    config: Path | None, cron: str | None, timezone: str | None, port: int | None, **flags: Any
) -> None:
    """Serve the nightly flow on a schedule (Ctrl-C or SIGTERM stops it and its server).

    Uses the Prefect server at PREFECT_API_URL when one is configured; otherwise starts
    `prefect server start` on 127.0.0.1 with its database under the workdir."""
    settings = settings_from(config, cron=cron, timezone=timezone, **flags)
    prepare_prefect_env(settings.workdir)
    from flows.serve import serve_nightly

    click.echo(
        f"serving nightly-compliance: cron {settings.schedule.cron!r} "
        f"({settings.schedule.timezone}), inbox {settings.inbox}"
    )
    serve_nightly(settings, port=port, on_ready=lambda url: click.echo(f"Prefect UI: {url}"))
