"""Printing, checked the way a ministry user prints: LibreOffice converts each workbook to
PDF (headless, a private profile), and the pages are counted and measured with pypdfium2.

Before issue 15 the sample workbook printed as 110 portrait pages, the БИМ reminder as 13
pages of column slivers and the report template as 4 pages with the columns an agency
fills in away from the measure text.
"""

import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook

from core.model import Period
from outputs.labels import load_labels
from outputs.report_template import write_template
from outputs.workbook import write_workbook
from tests.fixtures.compliance_cases import B
from tests.fixtures.workbook_cases import hostile_result, multi_agency_plan

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A4_LANDSCAPE = (842, 595)  # points, rounded

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def pdf_pages(xlsx: Path, tmp: Path) -> list[tuple[tuple[int, int], str]]:
    """(page size in points, page text) for each page LibreOffice prints."""
    profile = tmp / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = pypdfium2.PdfDocument(str(tmp / (xlsx.stem + ".pdf")))
    pages = []
    for page in pdf:
        size = tuple(round(x) for x in page.get_size())
        pages.append((size, page.get_textpage().get_text_range()))
    return pages


def only_sheet(path: Path, index: int, tmp: Path) -> Path:
    wb = load_workbook(path)
    keep = wb.worksheets[index]
    for ws in list(wb.worksheets):
        if ws is not keep:
            wb.remove(ws)
    out = tmp / f"sheet-{index}.xlsx"
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return out, write_workbook(hostile_result(), out, lang="ru", per_agency=True)


def test_summary_prints_one_page_wide_landscape(written, tmp_path):
    _, paths = written
    pages = pdf_pages(only_sheet(paths[0], 1, tmp_path), tmp_path)
    assert {size for size, _ in pages} == {A4_LANDSCAPE}
    labels = load_labels("ru")
    # One page wide: the grid's last column (the on-time rate) is on the first page, beside
    # the agency names, and nothing spills onto a page of its own.
    first = pages[0][1].replace("\r\n", " ").replace("\n", " ")
    assert "Доля отчётов" in first and "МОН" in first
    assert len(pages) <= 2
    assert labels.text("page_footer").replace("&P", "1").replace("&N", str(len(pages))) in first


def test_whole_workbook_and_reminder_print_in_a_few_landscape_pages(written, tmp_path):
    _, paths = written
    book = pdf_pages(paths[0], tmp_path)
    assert {size for size, _ in book} == {A4_LANDSCAPE}
    assert len(book) <= 12  # ten sheets, the small plan: about one page each
    reminder = next(p for p in paths if p.parent.name == B and p.suffix == ".xlsx")
    pages = pdf_pages(reminder, tmp_path / "r")
    assert {size for size, _ in pages} == {A4_LANDSCAPE} and len(pages) <= 2
    assert "Министерство образования и науки" in pages[0][1]


def test_report_template_keeps_the_agency_columns_beside_the_measure_text(tmp_path):
    plan = multi_agency_plan()
    path = tmp_path / "template.xlsx"
    write_template(plan, B, Period(2020, 1), path, "ru")
    pages = pdf_pages(path, tmp_path)
    assert {size for size, _ in pages} == {A4_LANDSCAPE} and len(pages) == 1
    text = pages[0][1]
    assert "1.6" in text and "Статус" in text  # measure and the column to fill in, one page
