"""`planwatch watch`: ingest inbox files shortly after they land."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.run import quiet_prefect, settings_from, settings_options
from core.escape import for_terminal
from flows.prefect_env import prepare_prefect_env


@click.command()
@settings_options
@click.option(
    "--polling",
    is_flag=True,
    default=None,
    help="Re-list the folder every few seconds (network shares, where inotify sees nothing).",
)
def command(config: Path | None, polling: bool | None, **flags: Any) -> None:
    """Watch the inbox and ingest new files within seconds (Ctrl-C stops). The nightly run
    stays the source of truth; this gives staff same-day feedback in out/files.csv."""
    settings = settings_from(config, **{"watch.polling": polling}, **flags)
    prepare_prefect_env(settings.workdir)
    quiet_prefect(bool(flags.get("verbose")))
    from flows.watch import watch_inbox

    mode = "polling" if settings.watch.polling else "native events"
    click.echo(f"watching {settings.inbox} ({mode}); Ctrl-C stops")

    def show(run: Any) -> None:
        click.echo(
            f"{run.processed} new file(s): {run.count('accepted')} accepted, "
            f"{run.count('needs_review')} to review, {run.count('rejected')} rejected, "
            f"{run.count('failed')} failed; {run.known} already in the ledger"
        )
        for o in run.outcomes:
            reason = f" — {for_terminal(o.reason)}" if o.reason else ""
            click.echo(f"  {for_terminal(o.file)}: {o.outcome}{reason}")  # names are untrusted

    watch_inbox(settings, on_result=show)
