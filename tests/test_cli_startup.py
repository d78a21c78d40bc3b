"""`--help` and argument errors answer before anything heavy is imported: a mistyped
argument must not cost seconds of spaCy, pandas, SQLAlchemy or Prefect start-up.

Each case runs in a fresh interpreter that calls `cli.main.main([...])`, catches its
SystemExit and then lists the heavy packages in `sys.modules`: what was loaded by the time
the answer was printed (nothing runs after it). No timing is asserted here; the figures
come from bench/bench_cli_startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import COMMANDS

ROOT = Path(__file__).parents[1]
HEAVY = (
    "sqlalchemy",
    "prefect",
    "spacy",
    "pandas",
    "cv2",
    "pdfplumber",
    "openpyxl",
    "dask",
    "numpy",
    "pyarrow",
    "pydantic",
)
PROBE = """
import json, sys
from cli.main import main
try:
    main(json.loads(sys.argv[1]))
    code = 0
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)
print("PROBE " + json.dumps({"code": code, "heavy": heavy}))
"""


def probe(args: list[str], cwd: Path) -> tuple[int, str, str, list[str]]:
    """(exit code, stdout, stderr, heavy packages loaded) of `planwatch ARGS` run in `cwd`."""
    cmd = [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)
    *out, last = done.stdout.splitlines() or [""]
    assert last.startswith("PROBE "), done.stdout + done.stderr
    result = json.loads(last.removeprefix("PROBE "))
    return result["code"], "\n".join(out), done.stderr, result["heavy"]


@pytest.mark.parametrize("name", ["", *sorted(COMMANDS)])
def test_help_imports_nothing_heavy(name: str, tmp_path: Path):
    code, out, err, heavy = probe([name, "--help"] if name else ["--help"], tmp_path)
    assert code == 0, err
    assert "Usage: planwatch" in out
    assert heavy == []


DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


def bad_arguments(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """label -> (argv, text the one error line names). Run in `tmp`, which holds `a-file`
    (a plain file), `inbox/` (a folder) and `work/ledger.sqlite` (an empty file)."""
    t_xlsx = ["--out", str(tmp / "t.xlsx")]
    return {
        "plan: missing decree": (["plan", "/nonexistent.pdf", "--out", "x"], "/nonexistent.pdf"),
        "plan: missing --compare": (
            ["plan", str(DECREE), "--out", "x", "--compare", "no.txt"],
            "no.txt",
        ),
        "plan: decree is a folder": (["plan", "inbox", "--out", "x"], "inbox"),
        "ingest: missing inbox": (["ingest", "--inbox", "nowhere", "--workdir", "w"], "nowhere"),
        # The workdir is created first (before the ledger's SQLAlchemy): under a file it fails.
        "ingest: workdir under a file": (
            ["ingest", "--inbox", "inbox", "--workdir", "a-file/w"],
            "a-file/w",
        ),
        "ingest: missing decree": (
            ["ingest", "--inbox", "inbox", "--workdir", "w", "--decree", "no.pdf"],
            "no.pdf",
        ),
        "template: xlsx to .docx": (
            ["template", "БИМ", "--period", "2019-1", "--out", "t.docx"],
            "t.docx",
        ),
        "template: half-year 3": (["template", "БИМ", "--period", "2019-H3", *t_xlsx], "2019-H3"),
        # Unknown agency: the registry (YAML + rapidfuzz) answers; spaCy's resolver is not
        # started for a name that shares no word with any registry name.
        "template: unknown agency": (["template", "ХХХ", "--period", "2019-H1", *t_xlsx], "ХХХ"),
        # Outside the plan: the decree is read for its years (a text decree: no heavy
        # package); spaCy's normalizing comes after the check.
        "template: period outside the plan": (
            ["template", "БИМ", "--period", "2031-H1", *t_xlsx],
            "2031-H1",
        ),
        "report: not a date": (["report", "--workdir", ".", "--as-of", "20.13.2020"], "20.13.2020"),
        "report: no ledger": (["report", "--workdir", "inbox"], "inbox"),
        "report: workdir is a file": (["report", "--workdir", "a-file"], "a-file"),
        "report: half-year 3": (
            ["report", "--workdir", "work", "--track-from", "2019-H3"],
            "2019-H3",
        ),
        "run: not a date": (["run", "--inbox", "inbox", "--as-of", "31.02.2020"], "31.02.2020"),
        "run: unknown language": (["run", "--inbox", "inbox", "--lang", "en"], "--lang"),
        "run: missing inbox": (["run", "--inbox", "nowhere"], "nowhere"),
        "run: missing config": (["run", "--config", "no.toml"], "no.toml"),
        "serve: missing decree": (["serve", "--decree", "no.pdf"], "no.pdf"),
        "serve: inbox is a file": (["serve", "--inbox", "a-file"], "a-file"),
        "watch: missing inbox": (["watch", "--inbox", "nowhere"], "nowhere"),
        "watch: missing config": (["watch", "--config", "no.toml"], "no.toml"),
        "deploy: no work pool": (["deploy", "--inbox", "inbox"], "--work-pool"),
        "deploy: missing inbox": (["deploy", "--work-pool", "p", "--inbox", "nowhere"], "nowhere"),
        "unknown command": (["bogus"], "bogus"),
        "ingest: unreadable decree": (
            ["ingest", "--inbox", "inbox", "--workdir", "w", "--decree", "/proc/self/mem"],
            "/proc/self/mem",
        ),
        "serve: workdir under a file": (
            ["serve", "--inbox", "inbox", "--workdir", "a-file/w"],
            "a-file/w",
        ),
        "template: unknown full name": (
            ["template", "Министерство чудес", "--period", "2019-H1", *t_xlsx],
            "Министерство чудес",
        ),
    }


# Cases where a heavy package is needed to answer, and why.
NEEDED = {
    # Settings from flags, file and environment are one pydantic model (flows.config): a
    # workdir is checked there, as it is for planwatch.toml and PLANWATCH_WORKDIR.
    "serve: workdir under a file": {"pydantic"},
    # A name sharing words with registry names ("Министерство …") may be an inflected or
    # misspelt body: only the resolver (a spaCy pipeline: spaCy, thinc's numpy, pydantic)
    # can tell, and its answer is the one the report reader would give.
    "template: unknown full name": {"spacy", "numpy", "pydantic"},
}


BAD_LABELS = sorted(bad_arguments(Path("/x")))


@pytest.mark.parametrize("label", BAD_LABELS)
def test_argument_error_answers_before_heavy_imports(label: str, tmp_path: Path):
    (tmp_path / "a-file").write_text("a file\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "work").mkdir()
    (tmp_path / "work/ledger.sqlite").write_bytes(b"")
    args, expected = bad_arguments(tmp_path)[label]
    code, out, err, heavy = probe(args, tmp_path)
    assert (code, out) == (2, ""), (code, out, err)
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert expected in err, err
    assert set(heavy) <= NEEDED.get(label, set()), (heavy, err)
