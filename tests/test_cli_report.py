"""`planwatch report` over a real ledger populated with the small hand-built plan and reports."""

import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli.main import cli, main
from cli.report import today_in
from ledger.db import Ledger
from tests.fixtures.compliance_cases import A, B, report, small_plan
from tests.fixtures.report_files import write_docx_report


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
    assert f"Китеп: {out / 'overdue-2020-07-20.ky.xlsx'}" in result.output
    assert str(out / "changes.csv") in result.output
    # A: 1.1 (due 2019-06-30, in progress; its completion arrives on 07-25), 1.2 (2018 unmet),
    # 1.4 (no report); B: 1.2 (2018 unmet). 1.3 is continuous and 1.5 unparsed: never overdue.
    # Reported not done: A 1.1, A 1.2, B 1.2 (3 pairs, 2 measures); no information: A 1.4.
    assert "Мөөнөтү өткөн чаралар: 3 (пландагы 5 чаранын ичинен)." in result.output
    assert "(чара жана мекеме): 3, 2 чара боюнча - жетекчиликке кайрылуу." in result.output
    assert "(чара жана мекеме): 1, 1 чара боюнча - маалымат суроо." in result.output
    assert "Абал: 20.07.2020 карата" in result.output
    assert not any(word in result.output for word in ("overdue:", "obligation"))
    wb = load_workbook(out / "overdue-2020-07-20.ky.xlsx")
    assert wb.sheetnames[:2] == ["Эмне өзгөрдү", "Жыйынтык"]


def test_report_in_russian_per_agency(workdir):
    result = run("--workdir", str(workdir), "--as-of", "2020-07-20", "--lang", "ru", "--per-agency")
    assert result.exit_code == 0, result.output
    # ЭСӨМ is the coordinator: no reminder to itself.
    folder = workdir / "out" / "agencies"
    assert sorted(p.name for p in folder.iterdir()) == ["БИМ"]
    assert sorted(p.name for p in (folder / "БИМ").iterdir()) == [
        "letter-2020-07-20.ru.docx",
        "overdue-2020-07-20.ru.xlsx",
    ]
    book = load_workbook(workdir / "out" / "overdue-2020-07-20.ru.xlsx")
    assert book.sheetnames[:2] == ["Что изменилось", "Сводка"]
    assert "Файл:" in result.output and "Просроченных мероприятий: 3" in result.output


def test_report_defaults_to_today_in_bishkek(workdir):
    result = run("--workdir", str(workdir))
    assert result.exit_code == 0, result.output
    today = today_in("Asia/Bishkek")
    assert (workdir / "out" / f"overdue-{today.isoformat()}.ky.xlsx").is_file()


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
# The sample inbox (samples/inbox, see samples/README.md) plus three hostile reports, through
# the real pipeline: `planwatch ingest` against the seed decree, then `planwatch report`.
# Every expected value was worked out by hand from the sample files (agency, period, letter
# date, entries) and the seed decree's deadlines, quoted in the comments. Due dates: 2018-H1
# 2018-07-05, 2018-H2 2019-01-05, 2019-H1 2019-07-05, 2019-H2 2020-01-05, 2020-H1 2020-07-05.
# Only content dates are relied on (git does not keep the samples' modification times).

ROOT = Path(__file__).resolve().parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
SAMPLES = ROOT / "samples/inbox"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)"]
H1_2020 = "2020-жылдын 1-жарым жылдыгы"


def write_hostile_reports(inbox: Path) -> None:
    """Reports whose progress texts a spreadsheet would run as formulas (dated 3 July 2020)."""
    write_docx_report(
        inbox / "ФМ_2020-1.docx", "Кыргыз Республикасынын Финансы министрлиги", H1_2020,
        "03.07.2020 № 1-2/301",
        [("plain", "1.3", "аткарылууда", HOSTILE[0]), ("plain", "34.5", "аткарылган жок", HOSTILE[1])],
    )  # fmt: skip
    write_docx_report(
        inbox / "ТИМ_2020-1.docx", "Кыргыз Республикасынын Тышкы иштер министрлиги", H1_2020,
        "03.07.2020 № 7/12",
        [("plain", "34.5", "аткарылган жок", HOSTILE[2])],
    )  # fmt: skip
    write_docx_report(
        inbox / "УСК_2020-1.docx", "Кыргыз Республикасынын Улуттук статистикалык комитети", H1_2020,
        "03.07.2020 № 4/55",
        [("plain", "36.5", "аткарылууда", HOSTILE[3])],
    )  # fmt: skip


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    base = tmp_path_factory.mktemp("e2e")
    inbox, work = base / "inbox", base / "work"
    shutil.copytree(SAMPLES, inbox)
    write_hostile_reports(inbox)
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
    return (
        work,
        pd.read_parquet(out / "compliance.parquet"),
        pd.read_parquet(out / "submissions.parquet"),
    )


def obligation(compliance: pd.DataFrame, measure_id: str, agency: str) -> dict:
    rows = compliance[(compliance["measure_id"] == measure_id) & (compliance["agency"] == agency)]
    assert len(rows) == 1, (measure_id, agency, rows)
    return rows.iloc[0].to_dict()


def submission(submissions: pd.DataFrame, agency: str, period: str) -> dict:
    rows = submissions[(submissions["agency"] == agency) & (submissions["period"] == period)]
    assert len(rows) == 1, (agency, period, rows)
    return {
        k: None if not isinstance(v, str) and pd.isna(v) else v
        for k, v in rows.iloc[0].to_dict().items()
    }


# fmt: off
MEASURE_AGENCY = [
    # 4.3 "2019-жылдын 2- жарым жылдыгы" (due 2019-12-31): not started (2019-H1), in progress in
    # 2019-H2 and 2020-H1 -> overdue 2020-07-20 - 2019-12-31 = 202 days; active 2019-H2 and
    # 2020-H1 (not completed), both reported.
    ("4.3", "БИМ", dict(status="in_progress", latest_period="2020-H1", overdue=True, days_overdue=202,
                        periods_missing=0, unreported=False)),
    # 4.2 "2019-жылдын 2-жарым жылдыгы": completed in 2019-H2 -> only 2019-H2 active, reported.
    ("4.2", "БИМ", dict(status="completed", completed_period="2019-H2", overdue=False, periods_missing=0)),
    # 4.1 "2018-2020-жылдар": in progress 2019-H1, completed 2020-H1 (sent late, still counts);
    # 2018-H1, 2018-H2 and 2019-H2 have no word on it.
    ("4.1", "БИМ", dict(status="completed", latest_period="2020-H1", overdue=False, periods_missing=3,
                        missing_periods="2018-H1; 2018-H2; 2019-H2", unreported=False)),
    # 31.1 "2019-жыл": in progress 2019-H1, completed 2019-H2.
    ("31.1", "БИМ", dict(status="completed", overdue=False, periods_missing=0, unreported=False)),
    # ЭСӨМ shares 31.1 and never reports: 202 days; 2019-H1, 2019-H2, 2020-H1 missing.
    ("31.1", "ЭСӨМ", dict(status="no_report", overdue=True, days_overdue=202, periods_missing=3, unreported=True)),
    # 22.3 "2018-2019-жылдар": completed in 2019-H2 — the corrected file supersedes the first one.
    ("22.3", "ССМ", dict(status="completed", overdue=False, periods_missing=2, unreported=False,
                         missing_periods="2018-H1; 2018-H2")),
    # 25.2 "2019-2020-жылдар": in progress in 2019-H2 only; 2019-H1 and 2020-H1 (a corrupt file)
    # missing; due 2020-12-31, not yet overdue.
    ("25.2", "ССМ", dict(status="in_progress", latest_period="2019-H2", overdue=False, periods_missing=2,
                         missing_periods="2019-H1; 2020-H1", unreported=True)),
    # 8.1 "2018-2020-жылдар": completed in 2019-H1 (late letter): 2018-H1, 2018-H2 missing.
    ("8.1", "ССМ", dict(status="completed", latest_period="2019-H1", overdue=False, periods_missing=2)),
    # Partners of 8.1 are shown, never flagged.
    ("8.1", "ЮНИСЕФ", dict(obligated=False, overdue=False, unreported=False, periods_missing=0)),
    # 19.4 "2018-жыл": in progress in 2020-H1 only: 2020-07-20 - 2018-12-31 = 567 days.
    ("19.4", "ИИМ", dict(status="in_progress", overdue=True, days_overdue=567, periods_missing=4,
                         missing_periods="2018-H1; 2018-H2; 2019-H1; 2019-H2", unreported=False)),
    ("19.4", "ЭСӨМ", dict(status="no_report", overdue=True, days_overdue=567, periods_missing=5, unreported=True)),
    # 31.3 "2019-жылдын 1-жарым жылдыгы": completed on time.
    ("31.3", "ММТМ", dict(status="completed", overdue=False, periods_missing=0)),
    # 30.3 "2018-2020-жылдар": in progress 2019-H1 and 2020-H1; 2018-H1, 2018-H2, 2019-H2 missing.
    ("30.3", "ММТМ", dict(status="in_progress", overdue=False, periods_missing=3, unreported=False)),
    # 35.1 "2018-2020-жылдар": in progress 2019-H2 and 2020-H1.
    ("35.1", "ЭМ", dict(status="in_progress", overdue=False, periods_missing=3, unreported=False)),
    # 20.1 "2018-2019-жылдар": completed in the annual 2019 report (covers both halves).
    ("20.1", "ЮМ", dict(status="completed", latest_period="2019", overdue=False, periods_missing=2,
                        missing_periods="2018-H1; 2018-H2")),
    # 18.3 "2018-2019-жылдар": in progress (annual 2019): 202 days; 2018-H1, 2018-H2, 2020-H1.
    ("18.3", "ЮМ", dict(status="in_progress", overdue=True, days_overdue=202, periods_missing=3, unreported=True)),
    ("18.3", "ӨКМ", dict(status="no_report", overdue=True, days_overdue=202, periods_missing=5, unreported=True)),
    # The hostile reports: 1.3 "2019-жылдын 2-жарым жылдыгы", 36.5 "2018-2019-жылдар".
    ("1.3", "ФМ", dict(status="in_progress", overdue=True, days_overdue=202, progress_text=HOSTILE[0])),
    ("36.5", "УСК", dict(status="in_progress", overdue=True, days_overdue=202, progress_text=HOSTILE[3])),
]

AGENCY_PERIOD = [
    ("БИМ", "2019-H1", dict(expected=True, received_date=date(2019, 7, 3), received_source="content", on_time=True)),
    ("БИМ", "2019-H2", dict(expected=True, received_date=date(2020, 1, 4), on_time=True,
                            report_file="БИМ отчет 2-жарым жылдык 2019.docx")),
    ("БИМ", "2020-H1", dict(expected=True, received_date=date(2020, 7, 14), on_time=False)),
    ("ССМ", "2019-H1", dict(expected=True, received_date=date(2019, 7, 22), on_time=False)),
    # Two files for 2019-H2: the first (3 January) gives the received date.
    ("ССМ", "2019-H2", dict(expected=True, received_date=date(2020, 1, 3), on_time=True,
                            report_file="МЗ КР 2019_2.xlsx")),
    ("ССМ", "2020-H1", dict(expected=True, received_date=None, on_time=False)),
    ("ИИМ", "2020-H1", dict(expected=True, received_date=date(2020, 7, 3), on_time=True)),
    ("ММТМ", "2019-H1", dict(expected=True, received_date=date(2019, 7, 2), on_time=True)),
    ("ММТМ", "2019-H2", dict(expected=True, received_date=None, on_time=False)),
    # A needs-review file (a measure number not in the plan) still counts as received.
    ("ММТМ", "2020-H1", dict(expected=True, received_date=date(2020, 7, 10), on_time=False)),
    ("ЭМ", "2019-H2", dict(expected=True, received_date=date(2019, 12, 27), on_time=True)),
    # The annual 2019 report (10 January 2020) counts for both halves: late for both.
    ("ЮМ", "2019-H1", dict(expected=True, received_date=date(2020, 1, 10), on_time=False)),
    ("ЮМ", "2019-H2", dict(expected=True, received_date=date(2020, 1, 10), on_time=False)),
    ("ЮМ", "2020-H1", dict(expected=True, received_date=None)),
    ("ӨКМ", "2019-H1", dict(expected=True, received_date=None)),
    ("БИМ", "2020-H2", dict(expected=False)),
]
# fmt: on


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")  # one ingest, on one worker
@pytest.mark.parametrize(("measure_id", "agency", "expected"), MEASURE_AGENCY)
def test_e2e_measure_agency_results(e2e, measure_id, agency, expected):
    _, compliance, _ = e2e
    row = obligation(compliance, measure_id, agency)
    assert {k: row[k] for k in expected} == expected


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")  # one ingest, on one worker
@pytest.mark.parametrize(("agency", "period", "expected"), AGENCY_PERIOD)
def test_e2e_agency_period_results(e2e, agency, period, expected):
    _, _, submissions = e2e
    row = submission(submissions, agency, period)
    assert {k: row[k] for k in expected} == expected


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")  # one ingest, on one worker
def test_e2e_superseded_report_gives_the_evidence(e2e):
    _, compliance, _ = e2e
    assert obligation(compliance, "25.2", "ССМ")["evidence"].startswith(
        "МЗ КР 2019_2 (исправленный).xlsx"
    )


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")  # one ingest, on one worker
def test_e2e_earlier_as_of_day_ignores_later_reports(e2e, tmp_path):
    # As of 2020-01-05 the corrected ССМ file (15 January) and the annual ЮМ report
    # (10 January) had not arrived; БИМ's 4 January letter had. (A copy of the ledger, so the
    # other tests keep their 2020-07-20 outputs.)
    work = tmp_path / "work"
    shutil.copytree(e2e[0], work)
    result = run("--workdir", str(work), "--as-of", "2020-01-05")
    assert result.exit_code == 0, result.output
    compliance = pd.read_parquet(work / "out" / "compliance.parquet")
    submissions = pd.read_parquet(work / "out" / "submissions.parquet")
    assert obligation(compliance, "25.2", "ССМ")["evidence"].startswith("МЗ КР 2019_2.xlsx")
    assert submission(submissions, "ЮМ", "2019-H2")["received_date"] is None
    assert submission(submissions, "БИМ", "2019-H2")["on_time"]
    # 4.3 (due 2019-12-31) in progress: 2020-01-05 - 2019-12-31 = 5 days.
    assert obligation(compliance, "4.3", "БИМ")["days_overdue"] == 5
    # 20.1 (ЮМ, due 2019-12-31): no report yet -> overdue 5 days.
    assert obligation(compliance, "20.1", "ЮМ")["status"] == "no_report"
    assert (work / "out" / "overdue-2020-07-20.ky.xlsx").is_file()  # the later day's is kept
    assert (work / "out" / "overdue-2020-01-05.ky.xlsx").is_file()


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")  # one ingest, on one worker
def test_e2e_workbook(e2e):
    work, compliance, _ = e2e
    out = work / "out"
    wb = load_workbook(out / "overdue-2020-07-20.ky.xlsx")
    assert wb.sheetnames == [
        "Эмне өзгөрдү",
        "Жыйынтык",
        "Өттү - аткарылган жок",
        "Өттү - маалымат жок",
        "Министрликтин өз чаралары",
        "Отчетсуз",
        "Отчеттор",
        "Карап чыгуу",
        "План боюнча эскертүүлөр",
        "Чаралар",
    ]
    assert wb["Жыйынтык"]["A2"].value == "Абал: 20.07.2020 карата"
    ob = compliance[compliance["obligated"]]
    lists = {}
    for name, kind in (
        ("Өттү - аткарылган жок", "reported_not_done"),
        ("Өттү - маалымат жок", "no_information"),
    ):
        ws = wb[name]
        header = [c.value for c in ws[4]]
        col = {h: i for i, h in enumerate(header)}
        rows = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=5) if r[0].value}
        mine = ob[(ob["overdue_kind"] == kind) & (ob["agency"] != "ЭСӨМ")]
        assert len(rows) == len(mine)
        days = [r[col["Кечиккен күндөр"]].value for r in rows.values()]
        assert days == sorted(days, reverse=True)
        lists[kind] = (rows, col)
    rows, col = lists["reported_not_done"]
    r = rows[("ИИМ", "19.4")]
    assert r[col["Кечиккен күндөр"]].value == 567
    assert r[col["Кечиккен күндөр"]].fill.fgColor.rgb.endswith("FFC7CE")  # red
    assert r[col["Мөөнөтү (токтомдо)"]].value == "2018-жыл"
    end = r[col["Мөөнөтүнүн аягы"]]
    assert end.is_date and end.value == datetime(2018, 12, 31)
    assert r[col["Абалы"]].value == "Аткарылууда"
    assert r[col["Далил (файл жана орду)"]].hyperlink.target.startswith("../archive/")
    # Submissions: on time green, late amber, missing red.
    subs = wb["Отчеттор"]
    sh = [c.value for c in subs[4]]
    state = {(r[0].value, r[1].value): r[sh.index("Абалы")] for r in subs.iter_rows(min_row=5)}
    h1_2019, h1_2020 = "2019-жылдын 1-жарым жылдыгы", "2020-жылдын 1-жарым жылдыгы"
    assert state[("ЮМ", h1_2019)].value == "189 күн кечикти"
    assert state[("ЮМ", h1_2020)].value == "Берилген жок"
    assert state[("БИМ", h1_2019)].fill.fgColor.rgb.endswith("C6EFCE")
    assert state[("ЮМ", h1_2019)].fill.fgColor.rgb.endswith("FFEB9C")
    assert state[("ССМ", h1_2020)].fill.fgColor.rgb.endswith("FFC7CE")
    received = subs.cell(5 + list(state).index(("БИМ", h1_2019)), sh.index("Алынган күнү") + 1)
    assert received.is_date and received.value == datetime(2019, 7, 3)
    # Review: the number the plan does not have, the superseded ССМ file; files first.
    review = [(r[0].value, r[1].value) for r in wb["Карап чыгуу"].iter_rows(min_row=5)]
    assert review[0] == ("Текшерүүнү талап кылган файл", "ММТМ маалымат 2020-H1.txt")
    assert ("Планда жок чара", "ММТМ маалымат 2020-H1.txt") in review
    assert ("Жаңы отчет менен алмаштырылган", "МЗ КР 2019_2.xlsx") in review
    assert not any(kind == "Пландагы эскертүү" for kind, _ in review)
    # Injection: the hostile texts are inert text shown verbatim, never formulas.
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    hostile = [c for c in cells if c.value in HOSTILE]
    assert {c.value for c in hostile} == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)
    # The reminder for ФМ: its full name, and its hostile text inert too.
    agency_book = load_workbook(out / "agencies" / "ФМ" / "overdue-2020-07-20.ky.xlsx")
    ws = agency_book.worksheets[0]
    assert "Финансы министрлиги" in ws["A2"].value
    agency_cells = [c for row in ws.iter_rows() for c in row]
    inert = [c.quotePrefix and c.data_type == "s" for c in agency_cells if c.value == HOSTILE[0]]
    assert all(inert)
    # CSV: inert too.
    text = (out / "compliance.csv").read_text(encoding="utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in text and '"\'@SUM(A1)"' in text


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")
def test_e2e_no_english_or_codes_in_either_language(e2e):
    from outputs.compliance import build_compliance
    from tests.fixtures.workbook_cases import as_written, leaks

    work, _, _ = e2e
    assert run("--workdir", str(work), "--as-of", "2020-07-20", "--lang", "ru").exit_code == 0
    with Ledger.for_workdir(work) as ledger:
        result = build_compliance(
            ledger.plans(), ledger.reports(), date(2020, 7, 20), None, ledger.sightings()
        )
    allowed = as_written(result)
    for lang in ("ky", "ru"):
        wb = load_workbook(work / "out" / f"overdue-2020-07-20.{lang}.xlsx")
        assert leaks(wb, allowed) == [], lang


@pytest.mark.slow
@pytest.mark.xdist_group("e2e_report")
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_e2e_reminder_for_bim_prints_in_a_few_pages(e2e, tmp_path):
    from tests.test_workbook_print import A4_LANDSCAPE, pdf_pages

    work, _, _ = e2e
    pages = pdf_pages(work / "out" / "agencies" / "БИМ" / "overdue-2020-07-20.ky.xlsx", tmp_path)
    assert {size for size, _ in pages} == {A4_LANDSCAPE} and len(pages) <= 4  # was 13
