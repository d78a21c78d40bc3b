"""The morning workbook, opened with openpyxl: sheets, one language, the two overdue lists,
the Summary grid, Review order, links to the archive, print setup, injection safety."""

import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from outputs.changes import Since, compare
from outputs.labels import load_labels, validate_labels
from outputs.workbook import RED, WORKBOOK_NAME, write_workbook
from outputs.workbook.book import SHEETS
from tests.fixtures.compliance_cases import A, B
from tests.fixtures.workbook_cases import HOSTILE, REJECTED, as_written, hostile_result, leaks

TABLE = 4  # header row of every table sheet


@pytest.fixture(scope="module")
def result():
    return hostile_result()


@pytest.fixture(scope="module")
def books(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    ky = write_workbook(result, out, lang="ky")[0]
    ru = write_workbook(result, out, lang="ru")[0]
    return out, {"ky": load_workbook(ky), "ru": load_workbook(ru)}


def column(ws, header: str, row: int = TABLE) -> int:
    headers = [c.value for c in ws[row]]
    return headers.index(header) + 1


def rows_of(ws, row: int = TABLE) -> list[dict]:
    headers = [c.value for c in ws[row]]
    out = []
    for r in range(row + 1, ws.max_row + 1):
        values = [ws.cell(r, c + 1).value for c in range(len(headers))]
        if any(v is not None for v in values):
            out.append(dict(zip(headers, values, strict=True)))
    return out


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def test_one_file_per_language_sheets_in_order(books, result):
    out, wb = books
    names = sorted(p.name for p in out.iterdir())
    assert names == ["overdue-2020-07-20.ky.xlsx", "overdue-2020-07-20.ru.xlsx"]
    assert WORKBOOK_NAME.format(as_of="2020-07-20", lang="ru") in names
    for lang in ("ky", "ru"):
        labels = load_labels(lang)
        assert wb[lang].sheetnames == [labels.sheet(key) for key, _ in SHEETS]
    assert wb["ky"].sheetnames[:2] == ["Эмне өзгөрдү", "Жыйынтык"]
    assert wb["ru"].sheetnames[:2] == ["Что изменилось", "Сводка"]


def test_two_overdue_lists_each_with_its_action_coordinator_apart(books, result):
    _, wb = books
    labels = load_labels("ky")
    escalate = wb["ky"][labels.sheet("reported_not_done")]
    ask = wb["ky"][labels.sheet("no_information")]
    assert escalate["A2"].value == labels.text("action_reported_not_done")
    assert ask["A2"].value == labels.text("action_no_information")
    # БИМ reported 1.2 completed for 2019 only: the 2018 checkpoint stays unmet.
    (row,) = rows_of(escalate)
    assert (row["Мекеме"], row["Чара №"], row["Абалы"]) == (B, "1.2", "Аткарылды")
    assert row["Кечиккен күндөр"] == (result.as_of - datetime(2018, 12, 31).date()).days
    # БИМ said nothing on 1.6 (due 2019-H1); its 2019 report arrived without it.
    (row,) = rows_of(ask)
    assert (row["Мекеме"], row["Чара №"]) == (B, "1.6")
    assert row[labels.header("reports_received")] == "БИМ_2019.xlsx"
    assert row[labels.header("missing_periods")].startswith("2019-жылдын 1-жарым жылдыгы")
    # ЭСӨМ (A) is the coordinator: its rows are on their own sheet, not on the lists.
    own = rows_of(wb["ky"][labels.sheet("coordinator")])
    assert {r["Чара №"] for r in own} >= {"1.1", "1.6"}
    assert A not in {r["Мекеме"] for r in rows_of(escalate) + rows_of(ask)}
    kinds = {r[labels.header("overdue_kind")] for r in own}
    assert labels.word("overdue_kinds", "reported_not_done") in kinds


def test_russian_workbook_speaks_russian(books):
    _, wb = books
    ru = load_labels("ru")
    ask = rows_of(wb["ru"][ru.sheet("no_information")])
    assert ask[0]["Орган"] == "МОН"  # БИМ in Russian
    assert ask[0][ru.header("missing_periods")].startswith("1 полугодие 2019 г.")
    escalate = rows_of(wb["ru"][ru.sheet("reported_not_done")])
    assert escalate[0]["Статус"] == "Выполнено"
    title = wb["ru"][ru.sheet("coordinator")]["A1"].value
    # the plan's body, and today's beside it (the ministry was renamed in 2021)
    plan_name, today = title.split(": ", 1)[1].split(" → ")
    assert plan_name == "Министерство труда и социального развития Кыргызской Республики"
    assert today == "Министерство труда, социального обеспечения и миграции Кыргызской Республики"


def test_no_english_and_no_codes_leak_into_either_workbook(books, result):
    _, wb = books
    allowed = as_written(result)
    for lang, book in wb.items():
        assert leaks(book, allowed) == [], lang


def test_summary_grid_rates_chart_and_plan_title(books, result):
    _, wb = books
    labels = load_labels("ky")
    ws = wb["ky"][labels.sheet("summary")]
    assert ws["A1"].value == "Гендердик теңчилик боюнча улуттук план"  # the title, not p1
    assert ws["A2"].value == "Абал: 20.07.2020 карата"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    f = result.figures
    pairs, measures = f["overdue_reported_not_done"], f["measures_overdue_reported_not_done"]
    assert labels.text("headline_reported_not_done", pairs=pairs, measures=measures) in flat
    grid_header = next(i for i, row in enumerate(values) if row[0] == labels.header("agency"))
    heads = values[grid_header]
    assert heads[1:5] == [labels.period(p) for p in ("2018-H1", "2018-H2", "2019-H1", "2019-H2")]
    bim = values[grid_header + 1]  # the only ranked agency (ЭСӨМ is the coordinator)
    assert bim[0] == B
    col = {h: i for i, h in enumerate(heads) if h}
    # late, and its completeness: 1.2, 1.3 of the 4 measures БИМ had to report on
    assert bim[col[labels.period("2019-H1")]] == "183 күн кечикти (2/4)"
    assert bim[col[labels.period("2020-H1")]] == labels.word("states", "unreadable")
    assert bim[col[labels.header("reporting_rate")]] == pytest.approx(2 / 5)
    rule_ranges = {str(r.sqref) for r in ws.conditional_formatting}
    assert len(rule_ranges) >= 2  # colour scales on the rates, a data bar on the ranking
    (chart,) = ws._charts
    assert chart.x_axis.scaling.orientation == "maxMin"


def test_review_lists_files_first_with_name_attribution_and_plan_notes_once(books, result):
    _, wb = books
    labels = load_labels("ru")
    review = rows_of(wb["ru"][labels.sheet("review")])
    first = review[0]
    assert first["Файл"] == REJECTED and first["Орган"] == "МОН"
    assert first[labels.header("period")] == "1 полугодие 2020 г."
    assert first[labels.header("detail")] == labels.word("reasons", "corrupt")
    duplicate = review[1]
    assert duplicate["Файл"] == "Копия БИМ_2019.xlsx" and duplicate["Орган"] == "МОН"
    assert (
        duplicate[labels.header("detail")] == f"{labels.word('reasons', 'duplicate')} БИМ_2019.xlsx"
    )
    notes = rows_of(wb["ru"][labels.sheet("plan_notes")])
    finding = labels.finding("task_gap")
    assert [n[labels.header("finding")] for n in notes].count(finding) == 1
    assert not any(
        r[labels.header("kind")] == labels.word("review_kinds", "plan_finding") for r in review
    )


def test_evidence_links_to_the_archived_copy(books, result):
    _, wb = books
    labels = load_labels("ky")
    ws = wb["ky"][labels.sheet("reported_not_done")]
    cell = ws.cell(TABLE + 1, column(ws, labels.header("evidence")))
    assert cell.value == "БИМ_2019.xlsx: сап 2"
    stored = result.files.set_index("file").loc["БИМ_2019.xlsx", "stored_path"]
    assert cell.hyperlink.target == f"../{stored}"
    ask = wb["ky"][labels.sheet("no_information")]
    received = ask.cell(TABLE + 1, column(ask, labels.header("reports_received")))
    assert received.hyperlink.target == f"../{stored}"


def test_every_sheet_prints_landscape_one_page_wide_with_titles_and_footer(books):
    _, wb = books
    for ws in wb["ru"].worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text and "20.07.2020" in ws.oddFooter.right.text
        if ws.title != "Сводка":
            assert ws.print_title_rows == f"${TABLE}:${TABLE}"


def test_wrapped_rows_get_a_height(books):
    _, wb = books
    labels = load_labels("ky")
    ws = wb["ky"][labels.sheet("measures")]
    heights = [ws.row_dimensions[r].height for r in range(TABLE + 1, ws.max_row + 1)]
    assert any(h and h > 15 for h in heights)


def test_hostile_text_is_inert_everywhere(books):
    out, wb = books
    for path in out.iterdir():
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate)
                    if isinstance(cell.value, str) and cell.value.startswith(
                        ("=", "+", "-", "@", "\t", "\r")
                    ):
                        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
        with zipfile.ZipFile(path) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    texts = {c.value for ws in wb["ky"].worksheets for row in ws.iter_rows() for c in row}
    assert HOSTILE[3] in texts and '=HYPERLINK("http://x","decree")' in texts
    assert "@late.xlsx: сап 2" in texts


def test_days_overdue_are_red_and_dates_are_dates(books):
    _, wb = books
    labels = load_labels("ky")
    ws = wb["ky"][labels.sheet("reported_not_done")]
    days = ws.cell(TABLE + 1, column(ws, labels.header("days_overdue")))
    assert fill_of(days) == RED.fgColor.rgb[-6:]
    end = ws.cell(TABLE + 1, column(ws, labels.header("deadline_end")))
    assert end.is_date and end.value == datetime(2020, 12, 31)


def test_what_changed_says_first_run_then_lists_changes(result, tmp_path):
    labels = load_labels("ky")
    first = load_workbook(write_workbook(result, tmp_path / "a")[0])
    assert first.worksheets[0]["A2"].value == labels.text("first_run")
    changes = compare([], [])
    changes.loc[0] = ["p1", "1.6", B, "2019-H1", "newly_overdue", "", "no_information"]
    since = Since(result.as_of, datetime(2020, 7, 19, 2, 0), changes)
    ws = load_workbook(write_workbook(result, tmp_path / "b", since=since)[0]).worksheets[0]
    assert "20.07.2020" in ws["A2"].value
    (row,) = rows_of(ws)
    assert row[labels.header("change")] == labels.word("changes", "newly_overdue")
    assert row[labels.header("current")] == labels.word("overdue_kinds", "no_information")
    assert row[labels.header("period")] == "2019-жылдын 1-жарым жылдыгы"


def test_kyrgyz_alphabet_orders_ө_after_о():
    ky = load_labels("ky")
    assert sorted(["ЯМ", "ӨКМ", "ОМ", "ПМ"], key=ky.sort_key) == ["ОМ", "ӨКМ", "ПМ", "ЯМ"]


def test_words_in_the_label_table():
    ky, ru = load_labels("ky"), load_labels("ru")
    assert ky.text("overall") == "Бардыгы"
    assert ky.header("expected") == "Күтүлгөн отчеттор" and ky.header("received") != "Алынды"
    assert ru.location("sheet Отчет!row 13") == "лист Отчет, строка 13"
    assert ky.location("table 1 row 4") == "таблица 1, сап 4"
    assert ru.period("2020-H1") == "1 полугодие 2020 г."
    assert ky.reason("something new") == ky.word("reasons", "other")


def test_label_table_is_validated():
    assert validate_labels({"languages": ["ky"]}).startswith("group")
    with pytest.raises(Exception, match="lang"):
        load_labels("en")
