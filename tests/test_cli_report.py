"""`planwatch report` over a real ledger populated with the small hand-built plan and reports."""

import sys
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli.main import cli, main
from cli.report import today_in
from ledger.db import Ledger
from tests.fixtures.compliance_cases import A, B, report, small_plan


@pytest.fixture
def workdir(tmp_path):
    with Ledger.for_workdir(tmp_path) as ledger:
        ledger.save_plan(small_plan())
        for r in (
            report(
                A,
                "2019-H1",
                date(2019, 7, 1),
                [("1.1", "in_progress", "=1+2"), ("1.2", "in_progress")],
            ),
            report(B, "2019-H2", date(2020, 1, 9), [("1.2", "completed"), ("1.3", "in_progress")]),
            report(A, "2020-H1", date(2020, 7, 25), [("1.1", "completed")]),  # after the as-of day
        ):
            ledger.record(r)
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, ["report", *args], catch_exceptions=False)


def test_report_writes_datasets_and_workbook_and_prints_counts(workdir):
    result = run("--workdir", str(workdir), "--as-of", "2020-07-20")
    assert result.exit_code == 0, result.output
    out = workdir / "out"
    for name in ("compliance.parquet", "compliance.csv", "submissions.parquet", "submissions.csv"):
        assert (out / name).is_file() and str(out / name) in result.output
    assert str(out / "overdue-2020-07-20.xlsx") in result.output
    # A: 1.1 (due 2019-06-30, in progress; its completion arrives on 07-25), 1.2 (2018 unmet),
    # 1.4 (no report); B: 1.2 (2018 unmet). 1.3 is continuous and 1.5 unparsed: never overdue.
    assert "overdue: 4 obligation(s) on 3 measure(s)" in result.output
    assert "as of 2020-07-20" in result.output
    wb = load_workbook(out / "overdue-2020-07-20.xlsx")
    assert wb.sheetnames[0] == "Жыйынтык"


def test_report_in_russian_per_agency(workdir):
    result = run("--workdir", str(workdir), "--as-of", "2020-07-20", "--lang", "ru", "--per-agency")
    assert result.exit_code == 0, result.output
    agencies = sorted(p.name for p in (workdir / "out" / "agencies").iterdir())
    assert agencies == ["overdue-2020-07-20-БИМ.xlsx", "overdue-2020-07-20-ЭСӨМ.xlsx"]
    assert load_workbook(workdir / "out" / "overdue-2020-07-20.xlsx").sheetnames[0] == "Сводка"


def test_report_defaults_to_today_in_bishkek(workdir):
    result = run("--workdir", str(workdir))
    assert result.exit_code == 0, result.output
    today = today_in("Asia/Bishkek")
    assert (workdir / "out" / f"overdue-{today.isoformat()}.xlsx").is_file()


def test_rejects_a_bad_date_and_language(workdir):
    assert run("--workdir", str(workdir), "--as-of", "20-07-2020").exit_code == 2
    assert run("--workdir", str(workdir), "--lang", "en").exit_code == 2


def test_missing_ledger_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["planwatch", "report", "--workdir", str(tmp_path / "nowhere")]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "nowhere" in err and "planwatch ingest" in err
    assert len(err.splitlines()) == 1
