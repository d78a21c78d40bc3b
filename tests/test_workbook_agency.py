"""The reminder package per agency: the attachment workbook and the letter."""

import pytest
from docx import Document
from openpyxl import load_workbook

from outputs.labels import load_labels
from outputs.letter import LetterSettings
from outputs.workbook import write_workbook
from outputs.workbook.agency import agencies_to_remind, agency_slug
from tests.fixtures.compliance_cases import A, B
from tests.fixtures.workbook_cases import hostile_result

LETTER = {
    "letterhead": "Кыргыз Республикасынын Эмгек жана социалдык өнүктүрүү министрлиги",
    "address": "Бишкек ш., Тоголок Молдо к., 3",
    "outgoing_number": "01-12/345",
    "signatory_title": "Министрдин орун басары",
    "signatory_name": "А. Асанова",
}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = hostile_result()
    paths = write_workbook(result, out, lang="ky", per_agency=True, letter_settings=LETTER)
    return result, out, paths


def texts(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_one_folder_per_agency_to_remind_never_the_coordinator(package):
    result, out, paths = package
    assert agencies_to_remind(result) == [B]  # ЭСӨМ (A) is the coordinator
    folder = out / "agencies" / B
    assert sorted(p.relative_to(out).as_posix() for p in paths[1:]) == [
        f"agencies/{B}/letter-2020-07-20.ky.docx",
        f"agencies/{B}/overdue-2020-07-20.ky.xlsx",
    ]
    assert folder.is_dir() and A not in {p.name for p in (out / "agencies").iterdir()}


def test_attachment_names_agency_plan_date_missing_reports_and_overdue(package):
    result, out, _ = package
    labels = load_labels("ky")
    ws = load_workbook(out / "agencies" / B / "overdue-2020-07-20.ky.xlsx").worksheets[0]
    assert ws["A1"].value == labels.text("reminder_title")
    assert ws["A2"].value == "Кыргыз Республикасынын Билим берүү жана илим министрлиги"
    assert ws["A3"].value == "Гендердик теңчилик боюнча улуттук план"
    assert ws["A4"].value == "Абал: 20.07.2020 карата"
    cells = texts(ws)
    # missing: 2018-H1, 2018-H2 (nothing received); 2020-H1 (received, unreadable)
    for period in ("2018-жылдын 1-жарым жылдыгы", "2020-жылдын 1-жарым жылдыгы"):
        assert period in cells
    assert labels.word("states", "unreadable") in cells
    # overdue: 1.2 (reported completed for 2019 only, 2018 unmet) and 1.6 (no information)
    ids = {c for c in cells if isinstance(c, str) and c.startswith("1.")}
    assert {"1.2", "1.6"} <= ids
    # Still unreported: 1.3 (continuous, in progress), asked about; nothing reported
    # completed is asked about in that section.
    unreported = cells[cells.index(labels.sheet("unreported")) :]
    assert "1.3" in unreported and labels.word("statuses", "completed") not in unreported
    assert ws.print_title_rows and ws.page_setup.orientation == "landscape"


def test_letter_has_letterhead_number_addressee_lists_and_signatory(package):
    _, out, _ = package
    doc = Document(str(out / "agencies" / B / "letter-2020-07-20.ky.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    for value in LETTER.values():
        assert value in text
    assert "Кыргыз Республикасынын Билим берүү жана илим министрлиги" in text
    assert "2018-жылдын 1-жарым жылдыгы" in text and "20.07.2020" in text
    assert "{{" not in text and "{%" not in text  # every tag filled
    (table,) = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][0] == load_labels("ky").header("measure_id")
    assert {r[0] for r in rows[1:]} >= {"1.2", "1.6"}


def test_letter_settings_are_validated_and_the_slug_is_file_safe():
    with pytest.raises(Exception, match="unknown"):
        LetterSettings.resolve({"signatory": "x"})
    assert LetterSettings.resolve(None).outgoing_number.startswith("_")
    assert agency_slug("КРП/МБА") == "КРП_МБА" and agency_slug("///") == "agency"
    assert agency_slug("ЖӨБ жана этностор агенттиги") == "ЖӨБ жана этностор агенттиги"


def test_letter_fields_come_from_planwatch_toml_and_the_environment(tmp_path):
    from flows.config import load_settings

    (tmp_path / "planwatch.toml").write_text(
        'inbox = "."\n[letter]\noutgoing_number = "01-12/345"\nsignatory_name = "А. Асанова"\n'
    )
    env = {"PLANWATCH_LETTER_SIGNATORY_TITLE": "Министрдин орун басары"}
    settings = LetterSettings.resolve(
        load_settings(tmp_path / "planwatch.toml", env=env).letter.model_dump()
    )
    assert settings.outgoing_number == "01-12/345" and settings.signatory_name == "А. Асанова"
    assert settings.signatory_title == "Министрдин орун басары" and settings.letterhead == ""
