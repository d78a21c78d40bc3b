"""`--help` and argument errors answer before anything heavy is imported: a mistyped
argument must not cost seconds of spaCy, pandas or Prefect start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import COMMANDS

ROOT = Path(__file__).parents[1]
HEAVY = {"spacy", "pandas", "numpy", "prefect", "cv2", "openpyxl", "pyarrow", "pydantic"}
# `ingest` reads its --settle default from ledger.inbox, which imports SQLAlchemy (not spaCy,
# pandas or Prefect); the other commands load neither before their arguments are checked.
ALSO_HEAVY = {"sqlalchemy"}


def imports_of(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    cmd = [sys.executable, "-X", "importtime", "-m", "cli.main", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120)
    modules = {ln.split("|")[-1].strip() for ln in done.stderr.splitlines() if "|" in ln}
    done.stderr = "\n".join(ln for ln in done.stderr.splitlines() if "import time:" not in ln)
    return done, modules


@pytest.mark.parametrize("name", ["", *sorted(COMMANDS)])
def test_help_imports_nothing_heavy(name: str):
    done, modules = imports_of([name, "--help"] if name else ["--help"], ROOT)
    assert done.returncode == 0, done.stderr
    heavy = HEAVY | (ALSO_HEAVY if name != "ingest" else set())
    assert not heavy & modules, sorted(heavy & modules)


BAD_ARGUMENTS = {
    "report: not a date": (["report", "--workdir", ".", "--as-of", "20.07.2O20"], "20.07.2O20"),
    "plan: missing decree": (["plan", "no-such-decree.pdf", "--out", "o"], "no-such-decree.pdf"),
    "template: xlsx to .docx": (
        ["template", "БИМ", "--period", "2019-1", "--out", "t.docx"],
        "t.docx",
    ),
    "run: not a date": (["run", "--inbox", ".", "--as-of", "31.02.2020"], "31.02.2020"),
    "run: unknown language": (["run", "--inbox", ".", "--lang", "en"], "--lang"),
}


@pytest.mark.parametrize("label", sorted(BAD_ARGUMENTS))
def test_argument_error_answers_before_heavy_imports(label: str, tmp_path: Path):
    args, expected = BAD_ARGUMENTS[label]
    done, modules = imports_of(args, tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and expected in done.stderr, done.stderr
    assert not (HEAVY | ALSO_HEAVY) & modules, sorted((HEAVY | ALSO_HEAVY) & modules)
