"""Every command, every class of bad argument: one line on stderr naming the path (or the
value) at fault, exit 2; a bug: one line naming the crash log, exit 70.

Classes: missing, unreadable, unwritable, file-instead-of-folder (and folder-instead-of-file),
wrong date, unknown agency / period. As root, permission bits do not stop reads or writes, so
"unwritable" is a folder that cannot exist (under a file, under /proc) and "unreadable" is a
file whose read fails whoever reads it (/proc/self/mem: opening works, reading its first
bytes gives EIO); an unreadable folder is tested only for a non-root user.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli.main import main

ROOT = Path(__file__).parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
IS_ROOT = os.geteuid() == 0
UNREADABLE = Path("/proc/self/mem")  # opens, but reading offset 0 fails (EIO), even for root


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str, *expected: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """An inbox, a plain file, a folder under that file and one under /proc."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder\n", encoding="utf-8")
    return {
        "tmp": tmp_path,
        "inbox": inbox,
        "file": a_file,
        "under_file": a_file / "work",
        "proc": Path("/proc/planwatch-no-such-dir/work"),
        "missing": tmp_path / "no-such-thing",
        "unreadable": UNREADABLE,
    }


def cases(p: dict[str, Path]) -> list[tuple[str, list, str]]:
    """(label, argv, text the line must contain)."""
    inbox, tmp, f, missing = p["inbox"], p["tmp"], p["file"], p["missing"]
    work = tmp / "work"
    flow_args = ["--inbox", inbox, "--workdir", work, "--decree", DECREE]
    out = [
        # plan
        ("plan: missing decree", ["plan", missing, "--out", tmp / "o"], str(missing)),
        ("plan: decree is a folder", ["plan", tmp, "--out", tmp / "o"], str(tmp)),
        ("plan: --out is a file", ["plan", DECREE, "--out", f], str(f)),
        ("plan: --out under a file", ["plan", DECREE, "--out", p["under_file"]], str(f)),
        ("plan: unreadable decree", ["plan", UNREADABLE, "--out", tmp / "o"], str(UNREADABLE)),
        (
            "plan: unreadable --compare",
            ["plan", DECREE, "--out", tmp / "o", "--compare", UNREADABLE],
            str(UNREADABLE),
        ),
        # ingest
        ("ingest: missing inbox", ["ingest", "--inbox", missing, "--workdir", work], str(missing)),
        ("ingest: inbox is a file", ["ingest", "--inbox", f, "--workdir", work], str(f)),
        ("ingest: workdir is a file", ["ingest", "--inbox", inbox, "--workdir", f], str(f)),
        (
            "ingest: unwritable workdir (under a file)",
            ["ingest", "--inbox", inbox, "--workdir", p["under_file"], "--decree", DECREE],
            str(p["under_file"]),
        ),
        (
            "ingest: unwritable workdir (/proc)",
            ["ingest", "--inbox", inbox, "--workdir", p["proc"], "--decree", DECREE],
            "/proc/planwatch-no-such-dir",
        ),
        (
            "ingest: decree is missing",
            ["ingest", "--inbox", inbox, "--workdir", work, "--decree", missing],
            str(missing),
        ),
        (
            "ingest: unreadable decree",
            ["ingest", "--inbox", inbox, "--workdir", work, "--decree", UNREADABLE],
            str(UNREADABLE),
        ),
        (
            "ingest: decree is a folder",
            ["ingest", "--inbox", inbox, "--workdir", work, "--decree", tmp],
            str(tmp),
        ),
        # report
        ("report: workdir is a file", ["report", "--workdir", f], str(f)),
        ("report: no ledger", ["report", "--workdir", missing], str(missing)),
        ("report: wrong date", ["report", "--workdir", tmp, "--as-of", "31.02.2020"], "31.02.2020"),
        ("report: not a date", ["report", "--workdir", tmp, "--as-of", "2020/07/20"], "2020/07/20"),
        ("report: missing option", ["report"], "--workdir"),
        (
            "report: unknown half-year",
            ["report", "--workdir", ledger_dir(tmp), "--track-from", "2019-H3"],
            "2019-H3",
        ),
        # template
        (
            "template: unknown agency",
            ["template", "Министерство чудес", "--period", "2019-H1", "--out", tmp / "t.xlsx"],
            "Министерство чудес",
        ),
        (
            "template: unknown code",
            ["template", "ХХХ", "--period", "2019-H1", "--out", tmp / "t.xlsx"],
            "ХХХ",
        ),
        (
            "template: unknown period",
            ["template", "БИМ", "--period", "2019-H3", "--out", tmp / "t.xlsx"],
            "2019-H3",
        ),
        (
            "template: period outside the plan",
            ["template", "БИМ", "--period", "2025-H1", "--out", tmp / "t.xlsx"],
            "2025-H1",
        ),
        (
            "template: xlsx to a .docx name",
            ["template", "БИМ", "--period", "2019-H1", "--out", tmp / "t.docx"],
            str(tmp / "t.docx"),
        ),
        (
            "template: missing folder",
            ["template", "БИМ", "--period", "2019-H1", "--out", missing / "t.xlsx"],
            str(missing),
        ),
        (
            "template: out under a file",
            ["template", "БИМ", "--period", "2019-H1", "--out", f / "t.xlsx"],
            str(f),
        ),
        (
            "template: --out is a folder",
            ["template", "БИМ", "--period", "2019-H1", "--out", tmp],
            str(tmp),
        ),
        (
            "template: out under /proc",
            ["template", "БИМ", "--period", "2019-H1", "--out", p["proc"] / "t.xlsx"],
            "/proc/planwatch-no-such-dir",
        ),
        (
            "template: unreadable decree",
            [
                "template",
                "БИМ",
                "--period",
                "2019-1",
                "--out",
                tmp / "t.xlsx",
                "--decree",
                UNREADABLE,
            ],
            str(UNREADABLE),
        ),
        (
            "template: missing decree",
            [
                "template",
                "БИМ",
                "--period",
                "2019-H1",
                "--out",
                tmp / "t.xlsx",
                "--decree",
                missing,
            ],
            str(missing),
        ),
        # run (the nightly flow's settings are checked before Prefect starts)
        ("run: missing inbox", ["run", "--inbox", missing, "--workdir", work], str(missing)),
        ("run: inbox is a file", ["run", "--inbox", f, "--workdir", work], str(f)),
        ("run: workdir is a file", ["run", "--inbox", inbox, "--workdir", f], str(f)),
        (
            "run: unwritable workdir (under a file)",
            ["run", *flow_args[:2], "--workdir", p["under_file"]],
            str(p["under_file"]),
        ),
        ("run: missing decree", ["run", *flow_args[:4], "--decree", missing], str(missing)),
        ("run: missing config", ["run", "--config", missing], str(missing)),
        ("run: config is a folder", ["run", "--config", tmp], str(tmp)),
        ("run: decree is a folder", ["run", *flow_args[:4], "--decree", tmp], str(tmp)),
        # settings resolve the path: /proc/self/mem is named as /proc/<pid>/mem
        ("run: unreadable decree", ["run", *flow_args[:4], "--decree", UNREADABLE], "/mem"),
        (
            "run: unwritable workdir (/proc)",
            ["run", *flow_args[:2], "--workdir", p["proc"]],
            "/proc/planwatch-no-such-dir",
        ),
        ("run: unknown half-year", ["run", *flow_args, "--track-from", "2019-H3"], "2019-H3"),
        ("run: wrong date", ["run", *flow_args, "--as-of", "20.13.2020"], "20.13.2020"),
        ("run: unknown language", ["run", *flow_args, "--lang", "en"], "--lang"),
    ]
    for name in ("serve", "watch", "deploy"):
        extra = ["--work-pool", "pool"] if name == "deploy" else []
        out += [
            (f"{name}: missing inbox", [name, *extra, "--inbox", missing], str(missing)),
            (
                f"{name}: workdir is a file",
                [name, *extra, "--inbox", inbox, "--workdir", f],
                str(f),
            ),
            (f"{name}: missing config", [name, *extra, "--config", missing], str(missing)),
            (
                f"{name}: unwritable workdir (under a file)",
                [name, *extra, "--inbox", inbox, "--workdir", p["under_file"]],
                str(p["under_file"]),
            ),
            (
                f"{name}: unknown half-year",
                [name, *extra, "--inbox", inbox, "--track-from", "2019-H3"],
                "2019-H3",
            ),
        ]
    return out


def ledger_dir(tmp: Path) -> Path:
    """A workdir holding a (still empty) ledger file: the checks after "no ledger here"."""
    work = tmp / "with-ledger"
    if tmp.is_dir():
        work.mkdir(exist_ok=True)
        (work / "ledger.sqlite").touch()
    return work


PLACES = ("tmp", "inbox", "file", "under_file", "proc", "missing", "unreadable")
CASE_LABELS = [label for label, _, _ in cases(dict.fromkeys(PLACES, Path("/x")))]


@pytest.mark.parametrize("label", CASE_LABELS)
def test_bad_argument_gives_one_line_and_exit_2(label: str, place, capsys, monkeypatch):
    monkeypatch.chdir(place["tmp"])  # no planwatch.toml of the checkout, crash logs here
    monkeypatch.delenv("PLANWATCH_CONFIG", raising=False)
    _, args, expected = next(c for c in cases(place) if c[0] == label)
    code, out, err = run_cli(args, capsys)
    assert code == 2, (label, out, err)
    assert_one_line(err, expected)
    assert "Traceback" not in out + err


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their permission bits")
def test_unreadable_inbox_and_decree(place, capsys):
    locked = place["tmp"] / "locked"
    locked.mkdir()
    (locked / "r.csv").write_text("x\n", encoding="utf-8")
    locked.chmod(0)
    try:
        code, _, err = run_cli(
            ["ingest", "--inbox", locked, "--workdir", place["tmp"] / "w"], capsys
        )
        assert code == 2
        assert_one_line(err, str(locked))
    finally:
        locked.chmod(0o755)


def test_a_bug_prints_one_line_and_the_crash_log(tmp_path: Path, capsys, monkeypatch):
    import ledger.db

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    (tmp_path / ledger.db.LEDGER_FILE).write_bytes(b"")
    monkeypatch.setattr(ledger.db.Ledger, "for_workdir", broken)
    code, _, err = run_cli(["report", "--workdir", tmp_path, "--as-of", "2020-07-20"], capsys)
    assert code == 70
    line = assert_one_line(err, "RuntimeError", "simulated bug")
    logs = list((tmp_path / "logs").glob("crash-*.txt"))
    assert len(logs) == 1 and str(logs[0]) in line
    assert "Traceback" in logs[0].read_text(encoding="utf-8")


def simulated_bug(*args, **kwargs):
    raise RuntimeError("simulated bug")


# command -> (where its work starts, to break it; argv given the tmp folder; the folder the
# crash log goes to: <workdir>/logs, or ./work/logs for a command without a workdir).
BUGS = {
    "plan": (
        "extractors.decree.read_decree",
        lambda t: ["plan", DECREE, "--out", t / "o"],
        "work/logs",
    ),
    "template": (
        "extractors.decree.read_decree",
        lambda t: ["template", "БИМ", "--period", "2019-H1", "--out", t / "t.xlsx"],
        "work/logs",
    ),
    "ingest": (
        "ledger.inbox.look_inbox",
        lambda t: ["ingest", "--inbox", t / "inbox", "--workdir", t / "w", "--decree", DECREE],
        "w/logs",
    ),
    **{
        name: (
            f"cli.{name}.prepare_prefect_env",
            lambda t, name=name: [
                name,
                *(["--work-pool", "pool"] if name == "deploy" else []),
                *("--inbox", t / "inbox", "--workdir", t / "w", "--decree", DECREE),
            ],
            "w/logs",
        )
        for name in ("run", "serve", "watch", "deploy")
    },
}


@pytest.mark.parametrize("name", sorted(BUGS))
def test_every_command_reports_a_bug_in_one_line_and_a_crash_log(
    name: str, tmp_path: Path, capsys, monkeypatch
):
    import importlib

    import cli.errors

    target, argv, logs_folder = BUGS[name]
    module, attribute = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), attribute, simulated_bug)
    monkeypatch.setattr(cli.errors, "_workdir", None)  # no workdir left from another test
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PLANWATCH_CONFIG", raising=False)
    (tmp_path / "inbox").mkdir()
    code, _, err = run_cli(argv(tmp_path), capsys)
    assert code == 70, err
    line = assert_one_line(err, "RuntimeError", "simulated bug", "a bug in planwatch")
    logs = list((tmp_path / logs_folder).glob("crash-*.txt"))
    assert len(logs) == 1 and str(logs[0]) in line, (line, logs)
    assert "simulated bug" in logs[0].read_text(encoding="utf-8")
