"""Scanned decrees: a rendered plan, printed-and-scanned, read back into its measures, with a
QA finding for every doubtful cell."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import UnreadableDecree
from core.model import Plan
from extractors import decree_ocr
from extractors.decree import read_decree
from extractors.decree_ocr import (
    DOUBTFUL_CODE,
    DoubtfulCell,
    doubtful_cells,
    doubts_to_findings,
    mend_repeated_header,
    page_to_content,
    read_scanned_decree,
)
from extractors.decree_pdf import PdfSettings
from extractors.decree_text import read_decree_text
from extractors.ocr import Cell, Line, OcrPage, OcrSettings, OcrTable, Word, tesseract_available
from extractors.plan_assembly import assemble_plan
from tests.fixtures.decree_pdf import HEADERS, render_plan_pdf
from tests.fixtures.hostile import huge_page_pdf
from tests.fixtures.report_files import write_image_pdf
from tests.fixtures.scans import scan_pdf

ROOT = Path(__file__).resolve().parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
needs_tesseract = pytest.mark.skipif(
    not tesseract_available(),
    reason="tesseract with kir+rus data is not installed: "
    "apt-get install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does it)",
)

pytestmark = pytest.mark.xdist_group("decree_scan")  # one scan, OCR'd once, one worker


def _first_goal(plan: Plan) -> Plan:
    """The seed plan cut to its first goal (5 measures, two landscape pages)."""
    goal = plan.goals[0]
    tasks = tuple(t for t in plan.tasks if t.goal_id == goal.id)
    numbers = {t.no for t in tasks}
    return replace(
        plan,
        chapters=plan.chapters[:1],
        goals=(goal,),
        tasks=tasks,
        measures=tuple(m for m in plan.measures if m.task_no in numbers),
        abbreviations=plan.abbreviations[:3],
    )


@pytest.fixture(scope="session")
def small_plan() -> Plan:
    return _first_goal(assemble_plan(read_decree_text(DECREE)))


@pytest.fixture(scope="session")
def scanned_decree(small_plan, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("decree")
    pdf = render_plan_pdf(small_plan, work / "decree.pdf", lang="ky")
    scan = work / "decree-scan.pdf"
    pages = scan_pdf(pdf, scan, dpi=200, skews=(1.0, -1.5), rotated_pages=(1,))
    assert len(pages) == 2
    return scan


@pytest.mark.ocr
@needs_tesseract
def test_scanned_decree_lists_its_measures(small_plan, scanned_decree):
    plan = read_decree(scanned_decree)  # the decree registry sends the scan to OCR
    want = [m.measure_id for m in small_plan.measures]
    got = [m.measure_id for m in plan.measures]
    assert len(set(want) & set(got)) / len(want) >= 0.95
    assert got == want  # and nothing invented
    assert [c.no for c in plan.chapters] == [1]
    assert [g.id for g in plan.goals] == ["1.1"]
    assert [t.no for t in plan.tasks] == [t.no for t in small_plan.tasks]
    # Short cells come back exactly; long text closely.
    by_id = {m.measure_id: m for m in plan.measures}
    for ref in small_plan.measures:
        assert by_id[ref.measure_id].deadline_raw.replace(" ", "") == ref.deadline_raw.replace(
            " ", ""
        )
    for finding in plan.findings:
        if finding.code == DOUBTFUL_CODE:
            assert finding.location.startswith("decree-scan.pdf:p")
            assert finding.measure_id in (*want, None)


def test_without_tesseract_the_reason_says_how_to_enable(monkeypatch, tmp_path):
    monkeypatch.setattr(decree_ocr, "tesseract_available", lambda langs: False)
    scan = write_image_pdf(tmp_path / "scan.pdf")
    for read in (read_decree, read_scanned_decree):
        with pytest.raises(UnreadableDecree) as caught:
            read(scan)
        assert str(caught.value).startswith(str(scan))
        assert "tesseract-ocr-kir" in caught.value.reason and "make setup" in caught.value.reason


def test_a_page_too_large_to_render_is_refused_before_rendering(monkeypatch, tmp_path):
    """A 2 KB PDF with a 200 x 200-inch page would render to 3.6 gigapixels at 300 dpi:
    refused from its size, naming the limit, before any page is rendered."""
    monkeypatch.setattr(decree_ocr, "tesseract_available", lambda langs: True)

    def no_render(*args, **kwargs):
        raise AssertionError("a page was rendered")

    monkeypatch.setattr(decree_ocr, "read_pdf_pages", no_render)
    huge = huge_page_pdf(tmp_path / "huge.pdf")
    assert huge.stat().st_size < 10_000
    for read in (read_decree, read_scanned_decree):
        with pytest.raises(UnreadableDecree) as caught:
            read(huge)
        reason = caught.value.reason
        assert "page 1 too large to render (200 x 200 inches at 300 dpi)" in reason
        assert "3,600,000,000" in reason and "limit 80,000,000, setting max_page_pixels" in reason
    small = PdfSettings(max_page_pixels=10_000)  # the setting is honoured, either way
    with pytest.raises(UnreadableDecree, match="limit 10,000"):
        read_scanned_decree(write_image_pdf(tmp_path / "scan.pdf"), pdf=small)


# --------------------------------------------------------------------------- pure stages


def _page() -> OcrPage:
    """A page at 144 dpi: header row of the nine columns, one measure row with a doubtful
    deadline cell, the task cells merged down over a second (continuation) row."""
    xs = [100 + 150 * i for i in range(10)]
    header = tuple(
        Cell(h, 0.95, (1, 1), (xs[i], 100, xs[i + 1], 150)) for i, h in enumerate(HEADERS["ky"])
    )
    texts = ["1", "Эмгек", "1.1. Изилдөө", "жок", "отчет", "2019-жыл", "натыйжа", "БИМ", "бюджет"]
    confidences = [0.9, 0.9, 0.9, 0.9, 0.9, 0.35, 0.9, 0.9, 0.9]
    measure = tuple(
        Cell(t, c, (2, 1) if i < 2 else (1, 1), (xs[i], 150, xs[i + 1], 250))
        for i, (t, c) in enumerate(zip(texts, confidences, strict=True))
    )
    follow = (Cell("", 1.0, (0, 0)), Cell("", 1.0, (0, 0))) + tuple(
        Cell(
            "уланды" if i == 2 else "", 0.2 if i == 2 else 1.0, (1, 1), (xs[i], 250, xs[i + 1], 300)
        )
        for i in range(2, 9)
    )
    table = OcrTable((header, measure, follow), (100, 100, 1450, 300))
    title = Line((Word("Улуттук", 100, 40, 200, 20, 0.9), Word("план", 320, 40, 100, 20, 0.9)))
    return OcrPage((title,), table, 0, 0.0, ())


def test_page_to_content_converts_pixels_to_points_and_drops_covered_cells():
    content = page_to_content(_page(), 3, dpi=144)
    assert content.page == 3
    assert [len(r.cells) for r in content.rows] == [9, 9, 7]
    first = content.rows[0].cells[0]
    assert (first.x0, first.x1, first.text) == (50.0, 125.0, "№")
    assert [line.text for line in content.above] == ["Улуттук план"]
    assert content.above[0].top == 20.0


def test_doubtful_cells_name_column_and_measure():
    page = _page()
    settings = OcrSettings(dpi=144)
    content = page_to_content(page, 1, dpi=144)
    found, last = doubtful_cells(page, content, None, None, settings, PdfSettings())
    assert found == [
        DoubtfulCell(1, "deadline", "2019-жыл", 0.35, "1.1"),
        DoubtfulCell(1, "text", "уланды", 0.2, "1.1"),  # continuation row: the measure above
    ]
    assert last == "1.1"
    findings = doubts_to_findings(found, Path("/x/scan.pdf"))
    assert [f.location for f in findings] == ["scan.pdf:p1", "scan.pdf:p1"]
    assert findings[0].code == DOUBTFUL_CODE and findings[0].measure_id == "1.1"
    assert "35%" in findings[0].message


def test_misread_repeated_header_is_mended_from_the_best_one():
    good = page_to_content(_page(), 1, dpi=144)
    header = good.rows[0]
    garbled = replace(
        header,
        page=2,
        cells=tuple(
            replace(c, text="Ишке ашыру моонот") if i == 5 else c
            for i, c in enumerate(header.cells)
        ),
    )
    page2 = replace(good, page=2, rows=(garbled, *good.rows[1:]))
    mended, best = mend_repeated_header(page2, header)
    assert [c.text for c in mended.rows[0].cells] == [c.text for c in header.cells]
    assert mended.rows[0].page == 2 and best is header
    assert mended.rows[1:] == good.rows[1:]  # data rows, however many cells, stay as read
    assert mend_repeated_header(good, None) == (good, header)
