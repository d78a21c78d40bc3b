"""`planwatch report` over a real ledger populated with the small hand-built plan and reports."""

import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli.main import cli, main
from cli.report import today_in
from ledger.db import Ledger
from tests.fixtures.compliance_cases import A, B, report, small_plan
from tests.fixtures.report_files import write_csv_report, write_docx_report, write_xlsx_report


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


# --------------------------------------------------------------------------- end to end
#
# Real files, the real pipeline: report files written by tests/fixtures/report_files.py into an
# inbox, `planwatch ingest` against the seed decree, then `planwatch report --as-of 2020-07-20`.
# Every expected value below was worked out by hand from these files and the seed decree's
# deadlines (quoted in the comments); the sample inbox test further down does the same for
# samples/inbox.

ROOT = Path(__file__).resolve().parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)"]
H1_2019_KY, H2_2019_KY = "2019-жылдын 1-жарым жылдыгы", "2019-жылдын 2-жарым жылдыгы"


def write_e2e_inbox(inbox: Path) -> None:
    inbox.mkdir()
    # БИМ, 2019-H1, dated 3 July 2019 (due 5 July): on time.
    write_xlsx_report(
        inbox / "БИМ_2019-1.xlsx", "БИМ", H1_2019_KY, "2019-жылдын 3-июлу № 01-12/345",
        [("plain", "1.1", "аткарылууда", "Изилдөө башталды")],
    )  # fmt: skip
    # БИМ, 2019-H2, dated 10 January 2020 (due 5 January): late.
    write_docx_report(
        inbox / "БИМ_2019-2.docx", "БИМ", H2_2019_KY, "2020-жылдын 10-январы № 01-12/12",
        [
            ("plain", "1.1", "аткарылды", "Изилдөө жүргүзүлдү"),
            ("plain", "4.3", "аткарылууда", "Курстар уюштурулууда"),
            ("plain", "31.1", "аткарылды", "Аткарылды"),
        ],
    )  # fmt: skip
    # ИИМ (Russian, as МВД), 2019-H1, dated on the due day itself: on time. Hostile texts.
    write_docx_report(
        inbox / "МВД отчет 1 полугодие 2019.docx", "МВД", "за 1 полугодие 2019 года",
        "05.07.2019 № 12-3/456",
        [
            ("p", "16.2", "в процессе", HOSTILE[0]),
            ("p", "16.3", "в процессе", HOSTILE[1]),
            ("p", "19.3", "выполнено", "Проведено 12 тренингов"),
            ("p", "19.4", "не выполнено", HOSTILE[2]),
            ("p", "23.2", "не выполнено", HOSTILE[3]),
        ],
        "ru",
    )  # fmt: skip
    # ЭСӨМ, 2019-H2 twice: 4 January (on time) and a replacement on 20 January.
    write_xlsx_report(
        inbox / "ЭСӨМ_2019-2.xlsx", "ЭСӨМ", H2_2019_KY, "2020-жылдын 4-январы № 5",
        [("plain", "1.1", "аткарылууда", "Иш жүрүүдө"), ("plain", "2.1", "аткарылууда", "Иш жүрүүдө")],
    )  # fmt: skip
    write_docx_report(
        inbox / "ЭСӨМ_2019-2_толукталган.docx", "ЭСӨМ", H2_2019_KY, "2020-жылдын 20-январы № 9",
        [("plain", "1.1", "аткарылды", "Изилдөөнүн жыйынтыгы жарыяланды")],
    )  # fmt: skip
    # ЭСӨМ, 2020-H1, dated 25 July 2020: after the as-of day, so it does not exist yet.
    write_csv_report(
        inbox / "ЭСӨМ_2020-1.csv", "ЭСӨМ", "2020-жылдын 1-жарым жылдыгы", "2020-жылдын 25-июлу № 7",
        [("plain", "31.1", "аткарылды", "Аткарылды")],
    )  # fmt: skip
    # A corrupt workbook, last modified 4 July 2019: rejected, never counts as received.
    corrupt = inbox / "ССМ_2019-1.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not a workbook")
    stamp = datetime(2019, 7, 4, 9, 0, tzinfo=UTC).timestamp()
    os.utime(corrupt, (stamp, stamp))


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    inbox, work = base / "inbox", base / "work"
    write_e2e_inbox(inbox)
    runner = CliRunner()
    ingest = runner.invoke(
        cli,
        [
            "ingest",
            "--inbox",
            str(inbox),
            "--workdir",
            str(work),
            "--decree",
            str(DECREE),
            "--settle",
            "0",
        ],
        catch_exceptions=False,
    )
    assert ingest.exit_code == 0, ingest.output
    report_run = runner.invoke(
        cli,
        ["report", "--workdir", str(work), "--as-of", "2020-07-20", "--per-agency"],
        catch_exceptions=False,
    )
    assert report_run.exit_code == 0, report_run.output
    out = work / "out"
    compliance = pd.read_parquet(out / "compliance.parquet")
    submissions = pd.read_parquet(out / "submissions.parquet")
    return out, compliance, submissions, ingest.output + report_run.output


def obligation(compliance: pd.DataFrame, measure_id: str, agency: str) -> dict:
    rows = compliance[(compliance["measure_id"] == measure_id) & (compliance["agency"] == agency)]
    assert len(rows) == 1, (measure_id, agency, rows)
    return rows.iloc[0].to_dict()


def submission(submissions: pd.DataFrame, agency: str, period: str) -> dict:
    rows = submissions[(submissions["agency"] == agency) & (submissions["period"] == period)]
    assert len(rows) == 1, (agency, period, rows)
    return rows.iloc[0].to_dict()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("measure_id", "agency", "expected"),
    [
        # 1.1 "2019-жылдын ичинде" (due 2019-12-31): in progress in H1, completed in H2.
        (
            "1.1",
            "БИМ",
            dict(
                status="completed",
                latest_period="2019-H2",
                overdue=False,
                periods_missing=0,
                unreported=False,
            ),
        ),
        # ЭСӨМ's H2 replacement says completed; nothing for 2019-H1.
        (
            "1.1",
            "ЭСӨМ",
            dict(
                status="completed",
                overdue=False,
                periods_missing=1,
                unreported=False,
                missing_periods="2019-H1",
            ),
        ),
        # 4.3 "2019-жылдын 2- жарым жылдыгы": in progress; 2020-07-20 - 2019-12-31 = 202 days;
        # still active in 2020-H1, which has no report.
        (
            "4.3",
            "БИМ",
            dict(
                status="in_progress",
                overdue=True,
                days_overdue=202,
                periods_missing=1,
                unreported=True,
            ),
        ),
        # 31.1 "2019-жыл": completed in 2019-H2 (late report still counts); 2019-H1 missing.
        (
            "31.1",
            "БИМ",
            dict(status="completed", overdue=False, periods_missing=1, unreported=False),
        ),
        # ЭСӨМ's 31.1 report is dated after the as-of day: no report; 2019-H1..2020-H1 missing.
        (
            "31.1",
            "ЭСӨМ",
            dict(
                status="no_report",
                overdue=True,
                days_overdue=202,
                periods_missing=3,
                unreported=True,
            ),
        ),
        # 2.1 "2019-2020-жылдар": only in the superseded 4 January report -> no report; not yet due.
        (
            "2.1",
            "ЭСӨМ",
            dict(status="no_report", overdue=False, periods_missing=3, unreported=True),
        ),
        # 16.2 "2019-жылдын 1-жарым жылдыгы": in progress; 2020-07-20 - 2019-06-30 = 386 days;
        # stays active: 2019-H2 and 2020-H1 have no report.
        (
            "16.2",
            "ИИМ",
            dict(
                status="in_progress",
                overdue=True,
                days_overdue=386,
                periods_missing=2,
                unreported=True,
                progress_text=HOSTILE[0],
            ),
        ),
        # 19.3 "2019-жылдын 1-жарым жылдыгы": completed in its half-year, nothing more due.
        (
            "19.3",
            "ИИМ",
            dict(status="completed", overdue=False, periods_missing=0, completed_period="2019-H1"),
        ),
        # 19.4 "2018-жыл": not done; 2020-07-20 - 2018-12-31 = 567 days; of 2018-H1 .. 2020-H1
        # only 2019-H1 has a report.
        (
            "19.4",
            "ИИМ",
            dict(
                status="not_started",
                overdue=True,
                days_overdue=567,
                periods_missing=4,
                missing_periods="2018-H1; 2018-H2; 2019-H2; 2020-H1",
            ),
        ),
        # Partners of 16.2 (by agreement) are listed, never flagged.
        (
            "16.2",
            "ЮНФПА",
            dict(obligated=False, overdue=False, unreported=False, periods_missing=0),
        ),
        # 16.3 "2018-2019-жылдар": in progress; 202 days; 2018-H1, 2018-H2, 2019-H2, 2020-H1 missing.
        (
            "16.3",
            "ИИМ",
            dict(
                status="in_progress",
                overdue=True,
                days_overdue=202,
                periods_missing=4,
                unreported=True,
            ),
        ),
        # 23.2 "2019-жылдын 1-жарым жылдыгы": not done; 2020-07-20 - 2019-06-30 = 386 days.
        (
            "23.2",
            "ИИМ",
            dict(
                status="not_started",
                overdue=True,
                days_overdue=386,
                periods_missing=2,
                unreported=True,
            ),
        ),
    ],
)
def test_e2e_measure_agency_results(e2e, measure_id, agency, expected):
    _, compliance, _, _ = e2e
    row = obligation(compliance, measure_id, agency)
    assert {k: row[k] for k in expected} == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("agency", "period", "expected"),
    [
        (
            "БИМ",
            "2019-H1",
            dict(
                expected=True,
                received_date=date(2019, 7, 3),
                received_source="content",
                on_time=True,
                report_file="БИМ_2019-1.xlsx",
            ),
        ),
        ("БИМ", "2019-H2", dict(expected=True, received_date=date(2020, 1, 10), on_time=False)),
        ("БИМ", "2020-H1", dict(expected=True, received_date=None, on_time=False)),
        ("ИИМ", "2019-H1", dict(expected=True, received_date=date(2019, 7, 5), on_time=True)),
        ("ИИМ", "2019-H2", dict(expected=True, received_date=None, on_time=False)),
        # Earliest of the two H2 reports gives the date.
        (
            "ЭСӨМ",
            "2019-H2",
            dict(
                expected=True,
                received_date=date(2020, 1, 4),
                on_time=True,
                report_file="ЭСӨМ_2019-2.xlsx",
            ),
        ),
        ("ЭСӨМ", "2020-H1", dict(expected=True, received_date=None, on_time=False)),
        ("ССМ", "2019-H1", dict(expected=True, received_date=None, on_time=False)),
        ("БИМ", "2020-H2", dict(expected=False)),
    ],
)
def test_e2e_agency_period_results(e2e, agency, period, expected):
    _, _, submissions, _ = e2e
    row = submission(submissions, agency, period)
    row = {k: (None if pd.isna(v) else v) if not isinstance(v, str) else v for k, v in row.items()}
    assert {k: row[k] for k in expected} == expected


@pytest.mark.slow
def test_e2e_workbook(e2e):
    out, compliance, _, output = e2e
    assert "overdue-2020-07-20.xlsx" in output
    wb = load_workbook(out / "overdue-2020-07-20.xlsx")
    assert wb.sheetnames == [
        "Жыйынтык",
        "Мөөнөтү өткөн",
        "Отчетсуз",
        "Отчеттор",
        "Карап чыгуу",
        "Чаралар",
    ]
    overdue = wb["Мөөнөтү өткөн"]
    header = [c.value for c in overdue[1]]
    rows = {(r[0].value, r[1].value): r for r in overdue.iter_rows(min_row=2)}
    assert len(rows) == int(compliance["overdue"].sum())
    days = [r[header.index("Кечиккен күндөр")].value for r in overdue.iter_rows(min_row=2)]
    assert days == sorted(days, reverse=True)
    r = rows[("ИИМ", "23.2")]
    assert r[header.index("Кечиккен күндөр")].value == 386
    assert r[header.index("Кечиккен күндөр")].fill.fgColor.rgb.endswith("FFC7CE")  # red
    end = r[header.index("Мөөнөтүнүн аягы")]
    assert end.is_date and end.value.date() == date(2019, 6, 30)
    assert r[header.index("Аткарылышы (акыркы отчет)")].value == HOSTILE[3]
    # Submissions: on time green, late amber, missing red.
    subs = wb["Отчеттор"]
    sh = [c.value for c in subs[1]]
    state = {(r[0].value, r[1].value): r[sh.index("Абалы")] for r in subs.iter_rows(min_row=2)}
    assert state[("ИИМ", "2019-H1")].value == "Өз убагында"
    assert state[("ИИМ", "2019-H1")].fill.fgColor.rgb.endswith("C6EFCE")
    assert state[("БИМ", "2019-H2")].fill.fgColor.rgb.endswith("FFEB9C")
    assert state[("ССМ", "2019-H1")].fill.fgColor.rgb.endswith("FFC7CE")
    # Review: the corrupt file with its reason, the superseded ЭСӨМ report.
    review = wb["Карап чыгуу"]
    kinds = {(r[0].value, r[1].value) for r in review.iter_rows(min_row=2)}
    assert ("Кабыл алынбаган файл", "ССМ_2019-1.xlsx") in kinds
    assert ("Жаңы отчет менен алмаштырылган", "ЭСӨМ_2019-2.xlsx") in kinds
    # Injection: the hostile texts are inert text, shown verbatim, never formulas.
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile = [c for c in cells if c.value in HOSTILE]
    assert {c.value for c in hostile} == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    # The per-agency workbook for ИИМ holds only ИИМ.
    agency_book = load_workbook(out / "agencies" / "overdue-2020-07-20-ИИМ.xlsx")
    assert {r[0].value for ws in agency_book.worksheets for r in ws.iter_rows(min_row=2)} == {"ИИМ"}
    # CSV: inert too.
    text = (out / "compliance.csv").read_text(encoding="utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text and '"\'@SUM(A1)"' in text
