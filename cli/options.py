"""Options several commands share, declared once (name, type, default, help), and the types
that accept what people type: dates as staff write them, paths whose errors name the path."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

# The bundled seed decree, found from the checkout (the CLI may run from any folder).
BUNDLED_DECREE = (
    Path(__file__).resolve().parents[1]
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)
LANGS = ("ky", "ru")
# Day forms, tried in order: ISO, then the Russian/Kyrgyz office forms (20.07.2020, 20.7.20).
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y")
DATE_FORMS_HELP = "YYYY-MM-DD, DD.MM.YYYY or D.M.YY"
RELATIVE_NOTE = f"Relative paths resolve from the current folder ({Path.cwd()})."


class Day(click.ParamType):
    """A calendar day in any of DATE_FORMATS; gives a `date`."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, date):
            return value.date() if isinstance(value, datetime) else value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            if fmt == "%d.%m.%y" and not re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2}", text):
                continue  # strptime would read 20.07.2020 as ...20 followed by junk otherwise
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.fail(f"{text}: not a date (expected {DATE_FORMS_HELP})", param, ctx)


DAY = Day()

# click.Path's messages ("Directory '/x' is a file.") → planwatch's `<path>: <reason>`.
_PATH_REASONS = {
    "does not exist": "{kind} not found",
    "is a file": "is a file, not a folder",
    "is a directory": "is a folder, not a file",
    "is not readable": "not readable",
    "is not writable": "not writable",
    "is not executable": "not executable",
}


class PathType(click.Path):
    """click.Path whose errors read `<path>: <reason>`, like every other planwatch error."""

    @classmethod
    def like(cls, other: click.Path) -> PathType:
        """The same checks as `other` (a plain click.Path), with planwatch's messages."""
        new = cls.__new__(cls)
        new.__dict__.update(other.__dict__)
        return new

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            for suffix, reason in _PATH_REASONS.items():
                if exc.message.endswith(f" {suffix}."):
                    kind = (
                        "folder" if not self.file_okay else "file" if not self.dir_okay else "path"
                    )
                    self.fail(f"{value}: {reason.format(kind=kind)}", param, ctx)
            raise


def lang_option(help_text: str = "Language of the workbook's labels."):
    return click.option(
        "--lang", type=click.Choice(LANGS), default="ky", show_default=True, help=help_text
    )


def track_from_option():
    return click.option(
        "--track-from",
        help="First half-year the ministry tracks (e.g. 2019-H1): earlier ones are not expected.",
    )


def coordinator_option():
    return click.option(
        "--coordinator", help="The coordinating ministry's code (default ЭСӨМ): shown apart."
    )


def workdir_option(help_text: str):
    return click.option(
        "--workdir",
        required=True,
        type=PathType(file_okay=False, path_type=Path),
        help=f"{help_text} {RELATIVE_NOTE}",
    )


def decree_option(help_text: str, *, must_exist: bool = False):
    return click.option(
        "--decree",
        type=PathType(exists=must_exist, dir_okay=False, path_type=Path),
        default=BUNDLED_DECREE,
        show_default=True,
        help=help_text,
    )


def as_of_option(help_text: str = "Compute as it looked on this day."):
    return click.option(
        "--as-of",
        "as_of",
        type=DAY,
        default=None,
        show_default="today in Asia/Bishkek",
        help=f"{help_text} Forms: {DATE_FORMS_HELP}.",
    )


def checked_output(path: Path, suffixes: tuple[str, ...]) -> Path:
    """An output file name that fits what is written into it, in a folder that exists
    (planwatch does not create folders a typo would name)."""
    if path.suffix.lower() not in suffixes:
        wanted = " or ".join(suffixes)
        raise click.BadParameter(
            f"{path}: a {wanted} file is written here; name it *{suffixes[0]}", param_hint="--out"
        )
    if path.is_dir():
        raise click.BadParameter(f"{path}: is a folder, not a file", param_hint="--out")
    parent = path.parent
    if not parent.is_dir():
        reason = "is a file, not a folder" if parent.exists() else "no such folder"
        raise click.BadParameter(f"{parent}: {reason}", param_hint="--out")
    return path


def creatable_folder(path: Path, option: str) -> Path:
    """A folder that exists or can be made: checked without creating it, so a slip in
    `--out` answers before minutes of reading and nothing is left behind when reading fails."""
    ancestor = path
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise click.BadParameter(f"{ancestor}: is a file, not a folder", param_hint=option)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{ancestor}: not writable", param_hint=option)
    return path


def readable_file(path: Path) -> Path:
    """A file that opens and gives its first bytes. A read error (EIO, a dead mount) carries
    no file name; the one error line must name it."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from err
    return path
