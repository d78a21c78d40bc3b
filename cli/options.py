"""Options several commands share, declared once (name, type, default, help)."""

from __future__ import annotations

from pathlib import Path

import click

# The bundled seed decree, found from the checkout (the CLI may run from any folder).
BUNDLED_DECREE = (
    Path(__file__).resolve().parents[1]
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)
LANGS = ("ky", "ru")


def lang_option(help_text: str = "Language of the workbook's labels."):
    return click.option(
        "--lang", type=click.Choice(LANGS), default="ky", show_default=True, help=help_text
    )


def workdir_option(help_text: str):
    return click.option(
        "--workdir",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text,
    )


def decree_option(help_text: str, *, must_exist: bool = False):
    return click.option(
        "--decree",
        type=click.Path(exists=must_exist, dir_okay=False, path_type=Path),
        default=BUNDLED_DECREE,
        show_default=True,
        help=help_text,
    )
