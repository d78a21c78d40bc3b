import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.db import Ledger

ROOT = Path(__file__).parents[1]
SAMPLE_INBOX = ROOT / "samples/inbox"
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ingest")
    inbox, work = tmp / "inbox", tmp / "work"
    shutil.copytree(SAMPLE_INBOX, inbox)
    args = ["ingest", "--inbox", str(inbox), "--workdir", str(work), "--decree", str(DECREE)]
    result = CliRunner().invoke(cli, [*args, "--settle", "0"], catch_exceptions=False)
    return inbox, work, args, result


def test_ingest_prints_a_row_per_file_and_exits_0(first_run):
    inbox, _, _, result = first_run
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()  # stderr: progress lines on a slow machine
    assert lines[0].split()[:5] == ["file", "agency", "period", "linked/unlinked", "outcome"]
    n_files = len(list(inbox.iterdir()))
    n_distinct = len({hashlib.sha256(p.read_bytes()).digest() for p in inbox.iterdir()})
    assert n_files >= 15 and n_distinct == n_files - 1  # one exact duplicate
    assert f"{n_files} file(s) scanned: {n_distinct} new" in result.output
    assert "same bytes as" in result.output
    assert "rejected" in result.output  # the corrupt sample
    assert "БИМ" in result.output and "2019-H1" in result.output


def test_ingest_writes_the_two_views(first_run):
    inbox, work, _, _ = first_run
    columns, files = read_csv(work / "out/files.csv")
    assert columns[:8] == [
        "file",
        "sha256",
        "agency",
        "period",
        "received_date",
        "received_source",
        "outcome",
        "reason",
    ]
    # every inbox name has its row (the audit); the exact duplicate says whose bytes it has
    contents = {hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}
    assert {row["sha256"] for row in files} == contents
    assert sorted(row["file"] for row in files) == sorted(p.name for p in inbox.iterdir())
    (dup,) = [row for row in files if row["outcome"] == "duplicate"]
    assert dup["file"] == "Копия БИМ_2019-1.xlsx" and dup["duplicate_of"] == "БИМ_2019-1.xlsx"
    assert dup["entries"] == "0" and dup["reason"] == "same bytes as БИМ_2019-1.xlsx"
    assert {row["outcome"] for row in files} >= {"accepted", "rejected"}
    assert all(row["reason"] for row in files if row["outcome"] != "accepted")
    assert len({row["agency"] for row in files if row["agency"]}) >= 6

    columns, entries = read_csv(work / "out/entries.csv")
    assert columns[:9] == [
        "file",
        "measure_id",
        "agency",
        "period",
        "status",
        "progress_text",
        "link_method",
        "confidence",
        "location",
    ]
    assert {row["status"] for row in entries} >= {"completed", "in_progress"}
    assert {row["link_method"] for row in entries} >= {"reference", "template"}


def test_second_run_processes_nothing_new(first_run):
    inbox, work, args, _ = first_run
    before = (work / "out/files.csv").read_bytes()
    with Ledger.for_workdir(work) as ledger:
        n_before = len(ledger.reports())
    result = CliRunner().invoke(cli, [*args, "--settle", "0"], catch_exceptions=False)
    assert result.exit_code == 0
    n_files = len(list(inbox.iterdir()))
    assert f"{n_files} file(s) scanned: 0 new" in result.output
    with Ledger.for_workdir(work) as ledger:
        assert len(ledger.reports()) == n_before
        assert len(ledger.plans()) == 1
    assert (work / "out/files.csv").read_bytes() == before


def test_missing_inbox_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        cli, ["ingest", "--inbox", str(tmp_path / "nope"), "--workdir", str(tmp_path / "w")]
    )
    assert result.exit_code == 2
    assert "nope" in result.output


def test_unreadable_decree_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    from cli.main import main

    inbox, decree = tmp_path / "inbox", tmp_path / "decree.txt"
    inbox.mkdir()
    decree.write_text("not a decree at all\n", encoding="utf-8")
    argv = ["planwatch", "ingest", "--inbox", str(inbox), "--workdir", str(tmp_path / "w")]
    monkeypatch.setattr("sys.argv", [*argv, "--decree", str(decree), "--settle", "0"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and str(decree) in err and "\n" not in err
