"""The PDF form of a decree: seed text → plan → rendered PDF → plan must be the same catalogue.

The PDFs are rendered by `tests/fixtures/decree_pdf.py` from the plan the text reader makes of
the seed decree: Kyrgyz headers repeated on every page; Kyrgyz headers printed once with a
row of column numbers, after a page of the decree itself and with an amendment note between
title and table; Russian headers. Rows break across pages in all of them, so the
round trip exercises the stitching. Bad files must fail with one clear line.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from core.errors import UnreadableDecree
from core.model import PLAN_COLUMNS, Chapter, Goal, Measure, Plan, Provenance, Task
from extractors.decree import read_decree
from extractors.decree_pdf import (
    SCANNED_REASON,
    Cell,
    PageContent,
    PdfSettings,
    TableRow,
    TextLine,
    abbreviation_lines,
    contents_to_decree,
    is_number_row,
    read_decree_pdf,
    row_to_cells,
    rows_to_logical_rows,
    starts_new_row,
    title_lines,
)
from extractors.decree_rows import RawRow
from tests.fixtures.decree_pdf import FONT, register_fonts, render_plan_pdf

pytestmark = pytest.mark.xdist_group("decree_pdf")  # one worker builds the PDFs once

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
EXCERPT = ROOT / "tests/fixtures/plan-excerpt.json"
VARIANTS = {
    "ky-repeated-header": {"lang": "ky", "repeat_header": True},
    "ky-header-once-number-row-preamble": {
        "lang": "ky",
        "repeat_header": False,
        "number_row": True,
        "preamble": True,
    },
    "ru-headers": {"lang": "ru", "repeat_header": True, "page_numbers": False},
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def seed_plan() -> Plan:
    return read_decree(SEED)


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("decree-pdf")


@pytest.fixture(scope="session", params=sorted(VARIANTS))
def rendered(request: pytest.FixtureRequest, seed_plan: Plan, pdf_dir: Path) -> tuple[str, Plan]:
    """(variant, plan read back from the seed plan rendered as that PDF variant)."""
    variant = request.param
    path = render_plan_pdf(seed_plan, pdf_dir / f"{SEED.stem}.{variant}.pdf", **VARIANTS[variant])
    return variant, read_decree(path)


def catalogue(plan: Plan) -> dict[str, object]:
    """Everything the plan says, provenance and source file aside."""

    def bare(items: tuple) -> list:
        return [dataclasses.replace(item, provenance=None) for item in items]

    return {
        "plan_id": plan.plan_id,
        "title": plan.title,
        "years": plan.years,
        "chapters": bare(plan.chapters),
        "goals": bare(plan.goals),
        "tasks": bare(plan.tasks),
        "measures": bare(plan.measures),
        "abbreviations": bare(plan.abbreviations),
    }


# --------------------------------------------------------------------------- the round trip


def test_round_trip_gives_the_identical_catalogue(
    seed_plan: Plan, rendered: tuple[str, Plan]
) -> None:
    variant, from_pdf = rendered
    expected, got = catalogue(seed_plan), catalogue(from_pdf)
    assert len(got["measures"]) == 117
    for key in expected:
        if key == "measures":
            for want, have in zip(expected[key], got[key], strict=True):
                assert have == want, f"{variant}: measure {want.measure_id} differs"
        assert got[key] == expected[key], f"{variant}: {key} differ"


def test_round_trip_keeps_only_the_true_qa_findings(
    seed_plan: Plan, rendered: tuple[str, Plan]
) -> None:
    _, from_pdf = rendered
    findings = {(f.code, f.measure_id) for f in from_pdf.findings}
    assert findings == {(f.code, f.measure_id) for f in seed_plan.findings}
    assert any(measure_id == "3.2" for _, measure_id in findings)  # really has no executors


def test_rows_really_break_across_pages(rendered: tuple[str, Plan]) -> None:
    """The fixture must exercise the stitching: many measures' cells sit on two pages."""
    variant, from_pdf = rendered
    pages = [m.provenance.pages for m in from_pdf.measures]
    assert max(p[-1] for p in pages) >= 15, variant
    broken = [m.measure_id for m in from_pdf.measures if len(m.provenance.pages) > 1]
    assert len(broken) >= 10, f"{variant}: only {broken} break across pages"


def test_provenance_names_the_pdf_pages_of_every_cell(rendered: tuple[str, Plan]) -> None:
    _, from_pdf = rendered
    for m in from_pdf.measures:
        assert m.provenance.source.endswith(".pdf") and m.provenance.pages
        assert not m.provenance.lines
        assert {"text", "deadline"} <= set(m.cells)
        assert all(set(p.pages) <= set(m.provenance.pages) for p in m.cells.values())


def test_excerpt_records_survive_the_pdf(rendered: tuple[str, Plan]) -> None:
    _, from_pdf = rendered
    excerpt = json.loads(EXCERPT.read_text(encoding="utf-8"))
    for record in excerpt["measures"]:
        m = from_pdf.measure(record["id"])
        assert m is not None, record["id"]
        got = (m.task_no, m.goal_id, m.chapter_no, m.text, m.baseline, m.indicator)
        assert got == tuple(
            record[k] for k in ("task", "goal", "chapter", "text", "baseline", "indicator")
        )
        got = (m.deadline_raw, m.expected_result, m.responsible_raw, m.funding_raw)
        assert got == tuple(
            record[k] for k in ("deadline", "expected_result", "responsible", "funding")
        )
    assert [(a.abbr, a.full_name) for a in from_pdf.abbreviations[:6]] == [
        (a["abbr"], a["full"]) for a in excerpt["abbreviations"]
    ]


def test_rows_cut_without_rules_at_page_breaks(seed_plan: Plan, tmp_path: Path) -> None:
    """Some exporters draw no line where a page break cuts a row (nor at the top of the next
    page when the header is not repeated): the cut cells must still be read, not dropped."""
    chapters = {1, 2}
    part = dataclasses.replace(
        seed_plan,
        chapters=tuple(c for c in seed_plan.chapters if c.no in chapters),
        goals=tuple(g for g in seed_plan.goals if g.chapter_no in chapters),
        tasks=tuple(t for t in seed_plan.tasks if t.chapter_no in chapters),
        measures=tuple(m for m in seed_plan.measures if m.chapter_no in chapters),
    )
    path = render_plan_pdf(part, tmp_path / "open.pdf", repeat_header=False, rule_page_breaks=False)
    got = read_decree(path)
    assert catalogue(got) == catalogue(part)
    assert sum(len(m.provenance.pages) > 1 for m in got.measures) >= 3


def test_small_plan_without_page_breaks(tmp_path: Path) -> None:
    """A one-page plan: no stitching, Russian section rows, every cell read back."""
    measures = tuple(
        Measure(
            "nap-2021-2023",
            f"1.{i}",
            1,
            "1.1",
            1,
            "Задача один",
            f"Мера {i}",
            "нет",
            f"число {i}",
            "2022 год",
            "сделано",
            "МТСР",
            "бюджет",
        )
        for i in (1, 2)
    )
    plan = Plan(
        "nap-2021-2023", "План действий на 2021-2023 годы", "x.txt", "", (2021, 2023),
        chapters=(Chapter(1, "Экономика"),), goals=(Goal("1.1", 1, "Занятость"),),
        tasks=(Task(1, "1.1", 1, "Задача один"),), measures=measures,
    )  # fmt: skip
    got = read_decree(render_plan_pdf(plan, tmp_path / "plan.pdf", lang="ru"))
    assert catalogue(got) == catalogue(plan)


# --------------------------------------------------------------------------- bad files


def _encrypted(path: Path, seed_plan: Plan) -> None:
    render_plan_pdf(_head(seed_plan), path, encrypt="secret")


def _truncated(path: Path, seed_plan: Plan) -> None:
    whole = render_plan_pdf(_head(seed_plan), path.with_suffix(".whole.pdf")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def _image_only(path: Path, seed_plan: Plan) -> None:
    image = Image.new("RGB", (1400, 900), "white")
    draw = ImageDraw.Draw(image)
    for y in range(100, 800, 100):  # a photographed table: lines, but no text layer
        draw.line((50, y, 1350, y), fill="black", width=3)
    image.save(path.with_suffix(".png"))
    canvas = Canvas(str(path), pagesize=landscape(A4))
    canvas.drawImage(str(path.with_suffix(".png")), 20, 20, 800, 550)
    canvas.save()


def _no_table(path: Path, seed_plan: Plan) -> None:
    register_fonts()
    canvas = Canvas(str(path), pagesize=landscape(A4))
    canvas.setFont(FONT, 11)
    canvas.drawString(50, 500, seed_plan.title)
    canvas.drawString(50, 480, "Иш-аракеттердин планы кийинчерээк бекитилет.")
    canvas.save()


def _not_a_pdf(path: Path, seed_plan: Plan) -> None:
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)


def _head(plan: Plan) -> Plan:
    return dataclasses.replace(plan, measures=plan.measures[:3], tasks=plan.tasks[:1])


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_encrypted, "encrypted PDF"),
        (_truncated, "corrupt, truncated or not a PDF"),
        (_no_table, "no plan table"),
        (_not_a_pdf, "corrupt, truncated or not a PDF"),
    ],
)
def test_bad_pdfs_fail_with_one_clear_line(
    make, reason: str, seed_plan: Plan, tmp_path: Path
) -> None:
    path = tmp_path / "decree.pdf"
    make(path, seed_plan)
    with pytest.raises(UnreadableDecree) as caught:
        read_decree(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message
    assert "\n" not in message


def test_image_only_pdf_is_told_apart_as_a_scan(seed_plan: Plan, tmp_path: Path) -> None:
    """The PDF reader says "scan" (read_decree then hands the file to OCR, when installed)."""
    path = tmp_path / "scan.pdf"
    _image_only(path, seed_plan)
    with pytest.raises(UnreadableDecree) as caught:
        read_decree_pdf(path)
    assert caught.value.reason == SCANNED_REASON == "no text layer — scanned decree; OCR needed"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDecree, match="cannot read file"):
        read_decree_pdf(tmp_path / "absent.pdf")


# --------------------------------------------------------------------------- the pure parts

GRID_XS = [(40.0 + 80 * i, 120.0 + 80 * i) for i in range(9)]


def _row(page: int, *texts: str) -> TableRow:
    return TableRow(
        page, tuple(Cell(x0, x1, t) for (x0, x1), t in zip(GRID_XS, texts, strict=False))
    )


def _header(page: int) -> TableRow:
    return _row(page, "№", "Милдеттер", "Чаралар/иш-аракеттер", "Баштапкы маалыматтар",
                "Индикатор", "Ишке ашыруу мөөнөтү", "Күтүлүүчү натыйжалар",
                "Жооптуу аткаруучулар", "Каржылоо булактары")  # fmt: skip


def _raw(**cells: str) -> RawRow:
    row = RawRow()
    row.cells.update(cells)
    return row


@pytest.mark.parametrize(
    ("previous", "top_row", "new"),
    [
        (_raw(task_no="4", text="4.3. Ишкерликтин"), {"text": "кесиптик лицейлердин"}, False),
        (_raw(text="4.3. Ишкерликтин"), {"text": "4.4. Жергиликтүү"}, True),
        (_raw(text="4.3. Ишкерликтин"), {"task_no": "5", "text": "5.1. Аялдар"}, True),
        (_raw(text="4.3. Ишкерликтин"), {"text": "", "funding": "каражаттардын чегинде"}, False),
        (_raw(text="4.3. Ишкерликтин"), {"text": "2.1. тизмеси боюнча"}, False),  # a list item
        (_raw(deadline="2019-2020-жылдар"), {"text": "13.2. Кыргыз"}, False),  # head of a row
        (RawRow(spanning=True), {"text": "кесиптик"}, True),
    ],
)
def test_starts_new_row_decides_from_content(previous: RawRow, top_row: dict, new: bool) -> None:
    cells = dict.fromkeys(PLAN_COLUMNS, "") | top_row
    assert starts_new_row(cells, previous) is new


def test_rows_are_stitched_and_headers_dropped() -> None:
    rows = [
        _header(1),
        TableRow(1, (Cell(40, 760, "1-глава. Экономика"),)),
        _row(
            1,
            "4",
            "Милдет",
            "4.3. Ишкерликтин",
            "",
            "Саны",
            "2019-жылдын 2-",
            "Окуу",
            "БИМ",
            "Бюджет",
        ),
        _header(2),
        _row(2, *[str(i) for i in range(1, 10)]),
        _row(2, "", "", "лицейлердин", "", "", "жарым жылдыгы", "", "", "чегинде"),
        _row(2, "", "", "4.4. Жергиликтүү", "", "", "2020", "", "", ""),
    ]
    table = rows_to_logical_rows(rows, "d.pdf", PdfSettings())
    got = table.rows
    assert table.header_page == 1 and table.unassigned == []
    assert [r.spanning for r in got] == [True, False, False]
    assert got[0].text() == "1-глава. Экономика"
    assert got[1].cells["text"] == "4.3. Ишкерликтин лицейлердин"
    assert got[1].cells["deadline"] == "2019-жылдын 2- жарым жылдыгы"
    assert got[1].provenance["deadline"] == Provenance("d.pdf", pages=(1, 2))
    assert got[1].provenance["task_no"] == Provenance("d.pdf", pages=(1,))
    assert got[2].cells["text"] == "4.4. Жергиликтүү"


def test_text_outside_every_cell_is_reported_not_dropped() -> None:
    """A cell beyond the header's width, and text under the table on a page the table goes
    on past (a row pdfplumber could not close), reach QA as unassigned fragments."""
    beyond = Cell(800, 830, "жетим текст")
    page1 = PageContent(
        1,
        (_header(1), TableRow(1, (*_row(1, "1", "Милдет", "1.1. Чара").cells, beyond))),
        above=(TextLine(1, 300, 20, "2019-2021-жылдарга ПЛАН", "2019-2021-жылдарга ПЛАН"),),
        below=(TextLine(1, 40, 540, "бүтпөгөн катар"), TextLine(1, 400, 580, "1")),
        chars=500,
    )
    page2 = PageContent(2, (_row(2, "", "", "1.2. Экинчи чара"),), chars=100)
    decree = contents_to_decree([page1, page2], Path("d.pdf"), "0" * 64, PdfSettings())
    assert decree.title == "2019-2021-жылдарга ПЛАН"
    assert [r.cells["text"] for r in decree.rows] == ["1.1. Чара", "1.2. Экинчи чара"]
    assert decree.unassigned == [
        ("жетим текст", Provenance("d.pdf", pages=(1,))),
        ("бүтпөгөн катар", Provenance("d.pdf", pages=(1,))),
    ]


def test_cells_map_by_header_position_not_order() -> None:
    """A row that lost a cell (merged task cells) still lands in the right columns."""
    grid = {c: xs for c, xs in zip(PLAN_COLUMNS, GRID_XS, strict=True)}
    row = TableRow(1, tuple(Cell(x0, x1, f"c{i}") for i, (x0, x1) in enumerate(GRID_XS) if i >= 2))
    cells, spanning = row_to_cells(row, grid, PdfSettings())
    assert (
        not spanning
        and cells["task_no"] == ""
        and cells["text"] == "c2"
        and cells["funding"] == "c8"
    )
    wide = TableRow(1, (Cell(40, 760, "3.1-максат. Укук"),))
    assert row_to_cells(wide, grid, PdfSettings()) == (
        {**dict.fromkeys(PLAN_COLUMNS, ""), "task_no": "3.1-максат. Укук"},
        True,
    )


def test_spanning_row_may_leave_the_number_cell_empty() -> None:
    grid = {c: xs for c, xs in zip(PLAN_COLUMNS, GRID_XS, strict=True)}
    row = TableRow(1, (Cell(40, 120, ""), Cell(120, 760, "Глава 2. Образование")))
    cells, spanning = row_to_cells(row, grid, PdfSettings())
    assert spanning and cells["task_no"] == "Глава 2. Образование"


def test_title_is_the_bold_run_above_the_table() -> None:
    lines = (
        TextLine(1, 700, 40, "6-тиркеме"),
        TextLine(
            1, 200, 60, "2018-2020-жылдарга иш-аракеттердин", "2018-2020-жылдарга иш-аракеттердин"
        ),
        TextLine(1, 300, 74, "УЛУТТУК ПЛАНЫ", "УЛУТТУК ПЛАНЫ"),
        TextLine(1, 250, 90, "(КР Өкмөтүнүн 2018-жылдын токтомунун редакциясына ылайык)"),
    )
    assert title_lines(lines) == "2018-2020-жылдарга иш-аракеттердин УЛУТТУК ПЛАНЫ"
    plain = tuple(TextLine(1, 40, 40 + 12 * i, t) for i, t in enumerate(("Тиркеме", "", "План")))
    assert title_lines(plain[1:]) == "План"


def test_number_row_is_recognised() -> None:
    assert is_number_row(_row(1, *[str(i) for i in range(1, 10)]))
    assert not is_number_row(_row(1, "1", "Милдет", "1.1. Чара", "", "", "", "", "", ""))


def test_abbreviations_without_bold_split_by_hanging_indent() -> None:
    lines = [
        TextLine(5, 40, 100, "Список сокращений:", "Список сокращений:"),
        TextLine(5, 40, 112, "МТСР - Министерство труда и социального"),
        TextLine(5, 58, 122, "развития Кыргызской Республики;"),
        TextLine(5, 40, 132, "ЮНФПА - Фонд ООН в области народонаселения."),
        TextLine(5, 400, 560, "17"),  # the page number under the list
    ]
    got = abbreviation_lines(lines, "d.pdf", PdfSettings())
    assert [text for text, _ in got] == [
        "МТСР\t- Министерство труда и социального развития Кыргызской Республики;",
        "ЮНФПА\t- Фонд ООН в области народонаселения.",
    ]


@pytest.mark.parametrize(
    "bad", [{"column_tolerance": -1}, {"min_spanning_columns": 1}, {"max_pages": 0}]
)
def test_settings_are_validated(bad: dict) -> None:
    with pytest.raises(ValueError):
        PdfSettings(**bad)
    assert PdfSettings.resolve(None) == PdfSettings()
    assert PdfSettings.resolve({"line_tolerance": 2.0}).line_tolerance == 2.0
