"""cli.progress: a bar on a terminal, plain periodic lines elsewhere, and rich only in cli/."""

from __future__ import annotations

import io
import re
from pathlib import Path

from cli.progress import Progress, progress
from cli.run import PREFECT_CONSOLE_LEVEL, quiet_prefect

ROOT = Path(__file__).parents[1]


def test_plain_lines_when_not_a_terminal():
    out = io.StringIO()
    with progress("ingest", "files", stream=out, every_s=0) as bar:
        for i in range(1, 4):
            bar.update(i, 3, f"{i - 1} rejected")
    assert out.getvalue().splitlines() == [
        "ingest: 1/3 files, 0 rejected",
        "ingest: 2/3 files, 1 rejected",
        "ingest: 3/3 files, 2 rejected",
    ]


def test_quick_work_prints_no_progress_lines():
    out = io.StringIO()
    with progress("ingest", "files", stream=out) as bar:  # every 5 s: this takes microseconds
        for i in range(1, 501):
            bar.update(i, 500)
    assert out.getvalue() == ""


def test_steps_count_up_and_the_callback_protocol_works():
    out = io.StringIO()
    bar = Progress("report", "steps", stream=out, every_s=0)
    bar.step("ledger read")
    bar.step("compliance computed")
    on_progress = bar  # what library code gets: Callable[[int, int], None]
    on_progress(3, 4)
    bar.finish()
    assert out.getvalue().splitlines() == [
        "report: 1/1 steps, ledger read",
        "report: 2/2 steps, compliance computed",
        "report: 3/4 steps, compliance computed",
    ]


def test_a_bar_on_a_terminal_stops_even_when_the_work_raises():
    out = io.StringIO()
    try:
        with progress("ocr", "pages", stream=out, interactive=True) as bar:
            bar.update(1, 36)
            assert bar._bar is not None  # rich is drawing
            raise RuntimeError("page 2 failed")
    except RuntimeError:
        pass
    assert bar._bar is None


def test_rich_is_imported_only_under_cli():
    pattern = re.compile(r"^\s*(from|import)\s+rich\b", re.M)
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("core", "extractors", "normalizers", "ledger", "outputs", "flows")
        for p in (ROOT / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_prefect_console_lines_are_hidden_unless_verbose():
    env: dict[str, str] = {}
    quiet_prefect(verbose=True, env=env)
    assert PREFECT_CONSOLE_LEVEL not in env
    quiet_prefect(verbose=False, env=env)
    assert env[PREFECT_CONSOLE_LEVEL] == "WARNING"
    env[PREFECT_CONSOLE_LEVEL] = "DEBUG"  # the user's own setting wins
    quiet_prefect(verbose=False, env=env)
    assert env[PREFECT_CONSOLE_LEVEL] == "DEBUG"
