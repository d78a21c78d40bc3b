"""`planwatch` entry point.

Commands are loaded lazily from their own modules (`cli/<name>.py`, each exposing a click
command named `command`), so `planwatch plan` does not pay for importing Prefect, and each
command stays a thin wrapper: parse options, make one library call. Every failure leaves
through `main()`, which prints one line (`cli.errors`: `error: <path>: <reason>`, exit 2; a
bug: where its traceback was written, exit 70).
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Sequence

import click

from cli import errors
from cli.options import PathType

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
        return uniform(importlib.import_module(COMMANDS[name][0]).command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # List commands from the table so `--help` does not import every module.
        with formatter.section("Commands"):
            formatter.write_dl([(n, COMMANDS[n][1]) for n in sorted(COMMANDS)])


def uniform(command: click.Command) -> click.Command:
    """The same behaviour for every command, applied here rather than in each module: path
    errors read `<path>: <reason>`, every default shows in --help, and the workdir is
    remembered as soon as it is parsed (crash logs go under it)."""
    if getattr(command, "_planwatch_uniform", False):
        return command
    for param in command.params:
        if isinstance(param.type, click.Path) and not isinstance(param.type, PathType):
            param.type = PathType.like(param.type)
        if isinstance(param, click.Option) and param.show_default is None:
            param.show_default = True
    callback = command.callback
    if callback is not None:

        @functools.wraps(callback)
        def remembering(*args, **kwargs):
            errors.remember_workdir(kwargs.get("workdir"))
            return callback(*args, **kwargs)

        command.callback = remembering
    command._planwatch_uniform = True  # type: ignore[attr-defined]
    return command


@click.group(cls=LazyGroup, context_settings={"show_default": True})
@click.version_option(package_name="planwatch")
def cli() -> None:
    """planwatch: which measures of the action plan are overdue, and who has not reported."""


def main(argv: Sequence[str] | None = None) -> None:
    """Run one command; every way it can end becomes an exit code and at most one line."""
    try:
        cli.main(args=argv, prog_name="planwatch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except BaseException as exc:  # the one place every failure is reported
        if isinstance(exc, SystemExit):
            raise
        line, code = errors.message_and_code(exc)
        click.echo(line, err=True)
        raise SystemExit(code) from None
    raise SystemExit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
