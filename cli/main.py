"""`planwatch` entry point.

Commands are loaded lazily from their own modules (`cli/<name>.py`, each exposing a click
command named `command`), so `planwatch plan` does not pay for importing Prefect, and each
command stays a thin wrapper: parse options, make one library call, turn named errors
into one-line messages.
"""

from __future__ import annotations

import importlib

import click

from core.errors import PlanwatchError

# name -> (module, one-line help). Adding a command touches this table and one module.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("cli.plan", "Extract the action plan from a decree into measures.csv/.parquet."),
    "ingest": ("cli.ingest", "Scan the inbox once and record every file in the ledger."),
    "template": ("cli.template", "Write a pre-filled report workbook for one agency."),
    "report": ("cli.report", "Build the compliance datasets and the overdue workbook."),
    "run": ("cli.run", "Run the nightly compliance flow once."),
    "serve": ("cli.serve", "Run the nightly flow on a schedule (Prefect server)."),
    "watch": ("cli.watch", "Ingest files shortly after they land in the inbox."),
    "deploy": ("cli.deploy", "Register the nightly flow as a Prefect deployment."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # List commands from the table so `--help` does not import every module.
        with formatter.section("Commands"):
            formatter.write_dl([(n, COMMANDS[n][1]) for n in sorted(COMMANDS)])


@click.group(cls=LazyGroup)
@click.version_option(package_name="planwatch")
def cli() -> None:
    """planwatch: which measures of the action plan are overdue, and who has not reported."""


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        raise SystemExit(1) from None
    except PlanwatchError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
