"""The overdue workbook, opened with openpyxl: sheets, labels, fills, dates, injection safety."""

import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from outputs.compliance import build_compliance
from outputs.labels import load_labels, validate_labels
from outputs.workbook import AMBER, GREEN, RED, agency_slug, write_workbook
from tests.fixtures.compliance_cases import A, B, report, small_plan

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)"]
AS_OF = date(2020, 7, 20)


@pytest.fixture(scope="module")
def result():
    reports = [
        report(
            A,
            "2019-H1",
            date(2019, 7, 1),
            [("1.1", "in_progress", HOSTILE[0]), ("1.4", "completed", HOSTILE[1])],
        ),
        report(
            A, "2019-H2", date(2020, 1, 8), [("1.2", "in_progress", HOSTILE[2])], file="@late.xlsx"
        ),
        report(
            B,
            "2019",
            date(2020, 1, 4),
            [("1.2", "completed", HOSTILE[3]), ("1.3", "in_progress", "\tиш")],
        ),
    ]
    return build_compliance([small_plan()], reports, AS_OF)


@pytest.fixture(scope="module")
def book(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    paths = write_workbook(result, out, per_agency=True)
    return out, paths, load_workbook(paths[0])


def column(ws, header: str) -> int:
    headers = [c.value for c in ws[1]]
    return headers.index(header) + 1


def find_row(ws, **where) -> int:
    cols = {column(ws, h): v for h, v in where.items()}
    for r in range(2, ws.max_row + 1):
        if all(ws.cell(r, c).value == v for c, v in cols.items()):
            return r
    raise AssertionError(f"no row {where}")


def fill_of(cell) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill and cell.fill.fill_type == "solid" else ""


def test_sheets_in_order_with_kyrgyz_labels(book):
    out, paths, wb = book
    assert paths[0].name == "overdue-2020-07-20.xlsx"
    assert wb.sheetnames == [
        "Жыйынтык",
        "Мөөнөтү өткөн",
        "Отчетсуз",
        "Отчеттор",
        "Карап чыгуу",
        "Чаралар",
    ]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        assert ws.cell(1, 1).font.bold


def test_russian_labels_come_from_the_same_table(result, tmp_path):
    wb = load_workbook(write_workbook(result, tmp_path, lang="ru")[0])
    assert wb.sheetnames == [
        "Сводка",
        "Просроченные",
        "Без отчёта",
        "Отчёты",
        "На проверку",
        "Мероприятия",
    ]
    ws = wb["Просроченные"]
    assert ws.cell(1, 1).value == "Орган"
    assert (
        ws.cell(find_row(ws, **{"Орган": A, "№ мероприятия": "1.1"}), column(ws, "Статус")).value
        == "В процессе исполнения"
    )


def test_overdue_sheet_sorted_with_fills_and_real_dates(book):
    _, _, wb = book
    ws = wb["Мөөнөтү өткөн"]
    days = [ws.cell(r, column(ws, "Кечиккен күндөр")).value for r in range(2, ws.max_row + 1)]
    assert days == sorted(days, reverse=True) and len(days) >= 2
    r = find_row(ws, **{"Мекеме": A, "Чара №": "1.1"})
    # 1.1 due 2019-06-30, in progress: 2020-07-20 - 2019-06-30 = 386 days.
    assert ws.cell(r, column(ws, "Кечиккен күндөр")).value == 386
    end = ws.cell(r, column(ws, "Мөөнөтүнүн аягы"))
    assert end.is_date and end.value == datetime(2019, 6, 30) and end.number_format == "yyyy-mm-dd"
    assert ws.cell(r, column(ws, "Мөөнөтү (токтомдо)")).value == "2019-жылдын 1-жарым жылдыгы"
    assert fill_of(ws.cell(r, column(ws, "Кечиккен күндөр"))) == RED.fgColor.rgb[-6:]
    assert fill_of(ws.cell(r, column(ws, "Абалы"))) == RED.fgColor.rgb[-6:]  # overdue wins


def test_status_fills_red_amber_green(book):
    _, _, wb = book
    ws = wb["Отчетсуз"]
    # B's 1.3 (continuous, in progress in 2019, nothing for 2018 and 2020-H1): amber.
    r = find_row(ws, **{"Мекеме": B, "Чара №": "1.3"})
    assert ws.cell(r, column(ws, "Абалы")).value == "Аткарылууда"
    assert fill_of(ws.cell(r, column(ws, "Абалы"))) == AMBER.fgColor.rgb[-6:]
    assert ws.cell(r, column(ws, "Отчет берилбеген мезгилдер")).value == "2018-H1; 2018-H2; 2020-H1"
    # A's 1.4 completed in 2019-H1 (after its first checkpoint): not overdue, green; 2018-H2 missing.
    r = find_row(ws, **{"Мекеме": A, "Чара №": "1.4"})
    assert fill_of(ws.cell(r, column(ws, "Абалы"))) == GREEN.fgColor.rgb[-6:]


def test_submissions_states(book):
    _, _, wb = book
    ws = wb["Отчеттор"]
    state = column(ws, "Абалы")
    on_time = find_row(ws, **{"Мекеме": A, "Мезгил": "2019-H1"})
    late = find_row(ws, **{"Мекеме": A, "Мезгил": "2019-H2"})
    missing = find_row(ws, **{"Мекеме": A, "Мезгил": "2020-H1"})
    not_due = find_row(ws, **{"Мекеме": A, "Мезгил": "2020-H2"})
    assert [ws.cell(r, state).value for r in (on_time, late, missing, not_due)] == [
        "Өз убагында",
        "Кечиктирилген",
        "Берилген жок",
        "Мөөнөтү келе элек",
    ]
    assert [fill_of(ws.cell(r, state)) for r in (on_time, late, missing)] == [
        GREEN.fgColor.rgb[-6:],
        AMBER.fgColor.rgb[-6:],
        RED.fgColor.rgb[-6:],
    ]
    due = ws.cell(late, column(ws, "Тапшыруу мөөнөтү"))
    assert due.is_date and due.value == datetime(2020, 1, 5)
    assert ws.cell(late, column(ws, "Алынган күнү")).value == datetime(2020, 1, 8)


def test_hostile_text_is_inert_everywhere(book):
    out, paths, _ = book
    for path in paths:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and cell.value.startswith(
                        ("=", "+", "-", "@", "\t", "\r")
                    ):
                        assert cell.data_type == "s" and cell.quotePrefix, (
                            ws.title,
                            cell.coordinate,
                        )
    _, _, wb = book
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert set(HOSTILE) <= texts and "\tиш" in texts  # shown verbatim
    assert '=HYPERLINK("http://x","decree")' in texts  # the decree's own text too
    assert "@late.xlsx: row 2" in texts
    # No formula element anywhere in the XML.
    with zipfile.ZipFile(paths[0]) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_summary_has_agencies_chapters_chart_date_and_files(book, result):
    _, _, wb = book
    ws = wb["Жыйынтык"]
    assert ws["B2"].is_date and ws["B2"].value == datetime(2020, 7, 20)
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert (
        "Мекемелер боюнча" in flat and "Главалар боюнча" in flat and "Колдонулган файлдар" in flat
    )
    assert "decree.txt" in flat and "@late.xlsx" in flat
    agency_row = next(row for row in values if row[0] == A)
    summary = result.agencies.set_index("agency").loc[A]
    assert agency_row[1:4] == [summary["measures"], summary["overdue"], summary["unreported"]]
    assert len(ws._charts) == 1
    assert ws._charts[0].title is not None


def test_review_and_measures_sheets(book, result):
    _, _, wb = book
    review = wb["Карап чыгуу"]
    kinds = {review.cell(r, 1).value for r in range(2, review.max_row + 1)}
    assert {"Пландагы эскертүү", "Мөөнөт окулган жок", "Мекеме таанылган жок"} <= kinds
    measures = wb["Чаралар"]
    assert measures.max_row - 1 == len(small_plan().measures)
    r = find_row(measures, **{"Чара №": "1.2"})
    assert measures.cell(r, column(measures, "Мөөнөттүн түрү")).value == "Жыл сайын"
    assert measures.cell(r, column(measures, "Мөөнөтүнүн аягы")).value == datetime(2020, 12, 31)


def test_per_agency_workbooks_hold_only_that_agency(book):
    out, paths, _ = book
    names = sorted(p.name for p in paths[1:])
    assert names == sorted(f"overdue-2020-07-20-{agency_slug(a)}.xlsx" for a in (A, B))
    wb = load_workbook(out / "agencies" / f"overdue-2020-07-20-{agency_slug(B)}.xlsx")
    assert wb.sheetnames == ["Мөөнөтү өткөн", "Отчетсуз"]
    for ws in wb.worksheets:
        assert (ws["C1"].value, ws["C2"].value) == (B, datetime(2020, 7, 20))
        assert ws["A4"].value == "Мекеме" and ws.freeze_panes == "A5"
        agencies = {ws.cell(r, 1).value for r in range(5, ws.max_row + 1)}
        assert agencies == {B}


def test_earlier_workbooks_are_kept_same_day_replaced(result, tmp_path):
    first = write_workbook(result, tmp_path)[0]
    earlier = build_compliance([small_plan()], [], date(2020, 7, 19))
    other = write_workbook(earlier, tmp_path)[0]
    again = write_workbook(result, tmp_path)[0]
    assert first == again and other.name == "overdue-2020-07-19.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "overdue-2020-07-19.xlsx",
        "overdue-2020-07-20.xlsx",
    ]


def test_agency_slug_is_file_safe():
    assert agency_slug("ЖӨБ жана этностор агенттиги") == "ЖӨБ_жана_этностор_агенттиги"
    assert agency_slug("КРП/МБА") == "КРП_МБА" and agency_slug("///") == "agency"


def test_label_table_is_validated():
    assert validate_labels({"languages": ["ky"]}).startswith("group")
    labels = load_labels("ru")
    assert labels.sheet("summary") == "Сводка"
    with pytest.raises(Exception, match="lang"):
        load_labels("en")
