"""The report template: written for one agency, filled in, read back exactly."""

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from core.model import LinkMethod, Outcome, Period, Status
from extractors.reports import read_document
from normalizers.report_reading import read_report
from normalizers.statuses import status_of
from outputs.report_template import (
    HEADER_ROW,
    MARKER_SHEET,
    agency_measures,
    labels,
    period_text,
    write_template,
)

ROOT = Path(__file__).parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


@pytest.fixture(scope="module")
def plan():
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    return normalize_plan(read_decree(DECREE))


def fill(
    path: Path,
    answers: dict[str, tuple[str, str, str]],
    letter_date: object = "03.07.2020 № 12-3/456",
) -> None:
    """Fill status, progress and indicator value for some measure ids, as an agency would."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws["B4"] = letter_date
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        if row[0].value in answers:
            row[4].value, row[5].value, row[6].value = answers[row[0].value]
    wb.save(path)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_filled_template_reads_back_exactly(tmp_path, plan, lang):
    path = write_template(plan, "БИМ", Period(2019, 1), tmp_path / "template.xlsx", lang)
    ids = [m.measure_id for m in agency_measures(plan, "БИМ")]
    assert "4.3" in ids and len(ids) >= 5
    words = labels()["status_words"]
    answers = {
        ids[0]: (words["completed"]["ky"], "12 курс өткөрүлдү", "12"),
        ids[1]: (words["in_progress"]["ru"], "Разработка пособия продолжается", ""),
        ids[2]: (words["not_started"]["ky"], "Каржылоо бөлүнгөн жок", "0"),
        "4.3": ("", "Курстар аткарылды", "300 окутуучу"),
    }
    fill(path, answers)
    result = read_report(read_document(path), plan, "anything.xlsx")
    assert result.outcome == Outcome.ACCEPTED, result.reason
    assert (result.agency, result.period, result.report_date) == (
        "БИМ",
        Period(2019, 1),
        date(2020, 7, 3),
    )
    got = {
        e.measure_id: (e.status, e.progress_text, e.indicator_value, e.link_method, e.confidence)
        for e in result.entries
    }
    assert got == {
        ids[0]: (Status.COMPLETED, "12 курс өткөрүлдү", "12", LinkMethod.TEMPLATE, 1.0),
        ids[1]: (
            Status.IN_PROGRESS,
            "Разработка пособия продолжается",
            "",
            LinkMethod.TEMPLATE,
            1.0,
        ),
        ids[2]: (Status.NOT_STARTED, "Каржылоо бөлүнгөн жок", "0", LinkMethod.TEMPLATE, 1.0),
        "4.3": (Status.COMPLETED, "Курстар аткарылды", "300 окутуучу", LinkMethod.TEMPLATE, 1.0),
    }
    assert all(
        e.location.startswith(f"sheet {labels()['sheet'][lang]}!row ") for e in result.entries
    )


def test_template_layout_dropdown_and_marker(tmp_path, plan):
    path = write_template(plan, "ССМ", Period(2020), tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws["A2"].value.startswith("Аткаруучу: ССМ — Кыргыз Республикасынын Саламаттык")
    assert ws["A3"].value == "Мезгил: 2020-жыл"
    assert [c.value for c in ws[HEADER_ROW]][:2] == ["ID", "Чара / Мероприятие"]
    (validation,) = ws.data_validations.dataValidation
    choices = validation.formula1.strip('"').split(",")
    assert {status_of(c) for c in choices} == {
        Status.COMPLETED,
        Status.IN_PROGRESS,
        Status.NOT_STARTED,
    }
    assert len(choices) == 6
    marker = wb[MARKER_SHEET]
    assert marker.sheet_state == "veryHidden"
    assert dict(marker.iter_rows(values_only=True)) == {
        "template": "report-template",
        "version": "1",
        "plan_id": plan.plan_id,
        "agency": "ССМ",
        "period": "2020",
        "lang": "ky",
    }
    rows = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [r[0] for r in rows] == [m.measure_id for m in agency_measures(plan, "ССМ")]
    first = plan.measure(rows[0][0])
    assert rows[0][1:4] == (first.text, first.deadline_raw, first.indicator)


def test_unfilled_template_has_no_entries_and_is_rejected(tmp_path, plan):
    path = write_template(plan, "БИМ", Period(2019, 2), tmp_path / "t.xlsx")
    result = read_report(read_document(path), plan, path.name)
    assert (
        result.outcome == Outcome.REJECTED
        and "no report table or numbered entries" in result.reason
    )
    assert (result.agency, result.period) == ("БИМ", Period(2019, 2))


def test_template_date_typed_as_an_excel_date(tmp_path, plan):
    path = write_template(plan, "БИМ", Period(2019, 1), tmp_path / "t.xlsx")
    fill(path, {"4.3": ("аткарылды", "Өткөрүлдү", "")}, letter_date=datetime(2019, 7, 10))
    assert read_report(read_document(path), plan, path.name).report_date == date(2019, 7, 10)


def test_template_with_a_wrong_file_name_goes_to_review(tmp_path, plan):
    path = write_template(plan, "БИМ", Period(2019, 1), tmp_path / "ССМ_2019-1.xlsx")
    fill(path, {"4.3": ("аткарылды", "Өткөрүлдү", "")})
    result = read_report(read_document(path), plan, path.name)
    assert result.outcome == Outcome.NEEDS_REVIEW and "disagree" in result.reason


def test_period_wording():
    assert period_text(Period(2019, 1), "ky") == "2019-жылдын 1-жарым жылдыгы"
    assert period_text(Period(2019, 2), "ru") == "2 полугодие 2019 года"


def test_cli_writes_a_template(tmp_path):
    from cli.template import command

    out = tmp_path / "МОН_2019-H1.xlsx"
    result = CliRunner().invoke(
        command, ["МОН", "--period", "2019-H1", "--out", str(out), "--decree", str(DECREE)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out}: ") and "for БИМ, 2019-H1" in result.output
    assert openpyxl.load_workbook(out)[MARKER_SHEET]["B4"].value == "БИМ"
    bad = CliRunner().invoke(
        command, ["БИМ", "--period", "2019-H3", "--out", str(out), "--decree", str(DECREE)]
    )
    assert bad.exit_code == 2 and "2019-H3" in bad.output
    unknown = CliRunner().invoke(
        command, ["Белгисиз", "--period", "2019", "--out", str(out), "--decree", str(DECREE)]
    )
    assert unknown.exit_code == 2 and "not a known agency" in unknown.output
