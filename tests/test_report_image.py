"""Scanned reports: routing, refusal without Tesseract, and OCR'd scans read like their text
originals (same measure links and statuses, or the difference flagged for review)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import UnreadableReport
from core.model import Document, Entry, Outcome, Paragraph, Table
from extractors import report_image
from extractors.ocr import tesseract_available
from extractors.reports import read_document, reader_for
from normalizers.ocr_review import flag_low_confidence
from normalizers.report_reading import read_report
from tests.fixtures.report_files import write_image_pdf, write_pdf_report
from tests.fixtures.scans import SCANNED_REPORTS, write_scanned_report

needs_tesseract = pytest.mark.skipif(
    not tesseract_available(),
    reason="tesseract with kir+rus data is not installed: "
    "apt-get install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does it)",
)
# The scans are made and OCR'd once per session: keep this module on one xdist worker.
pytestmark = pytest.mark.xdist_group("report_scans")
# One Kyrgyz scan (image-only PDF, 200 dpi, skewed) and one Russian (PNG, sideways page).
KY = SCANNED_REPORTS[0]
RU = SCANNED_REPORTS[4]


@pytest.fixture(scope="session")
def scans(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    work = tmp_path_factory.mktemp("scans")
    return {
        "ky": write_scanned_report(KY, work),
        "ru": write_scanned_report(RU, work, png=True),
    }


@pytest.fixture(scope="session")
def ocr_docs(scans) -> dict[str, Document]:
    if not tesseract_available():
        pytest.skip("tesseract with kir+rus data is not installed")
    return {lang: read_document(scan) for lang, (_, scan) in scans.items()}


# --------------------------------------------------------------------------- routing


def test_scans_go_to_the_ocr_reader_and_text_pdfs_do_not(scans):
    text_pdf, scan_pdf = scans["ky"]
    _, png = scans["ru"]
    assert reader_for(scan_pdf, scan_pdf.read_bytes()[:2048]) is report_image
    assert reader_for(png, png.read_bytes()[:2048]) is report_image
    assert reader_for(text_pdf, text_pdf.read_bytes()[:2048]) is not report_image
    assert report_image.has_scanned_pages(scan_pdf)
    assert not report_image.has_scanned_pages(text_pdf)


def test_without_tesseract_scans_are_refused_with_how_to_enable(scans, monkeypatch, tmp_path):
    monkeypatch.setattr(report_image, "tesseract_available", lambda langs: False)
    for path in (scans["ky"][1], scans["ru"][1], write_image_pdf(tmp_path / "blank.pdf")):
        with pytest.raises(UnreadableReport) as caught:
            read_document(path)
        assert str(caught.value).startswith(str(path))
        assert "tesseract-ocr-kir" in caught.value.reason and "make setup" in caught.value.reason


def test_corrupt_image_is_unreadable_not_a_crash(tmp_path):
    broken = tmp_path / "scan.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    if not tesseract_available():
        pytest.skip("tesseract with kir+rus data is not installed")
    with pytest.raises(UnreadableReport, match="corrupt or unknown image"):
        read_document(broken)


# --------------------------------------------------------------------------- OCR


@pytest.mark.ocr
@needs_tesseract
@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_scan_reads_like_its_text_original(scans, ocr_docs, lang):
    text_pdf, scan = scans[lang]
    doc = ocr_docs[lang]
    assert doc.ocr and doc.tables
    assert all(p.confidence is not None for p in doc.paragraphs)
    table = doc.tables[0]
    assert len(table.row_confidence) == len(table.rows)
    text = read_report(read_document(text_pdf), None, text_pdf.name)
    ocr = read_report(doc, None, scan.name)
    want = [(e.measure_id, e.status) for e in text.entries]
    got = [(e.measure_id, e.status) for e in ocr.entries]
    assert len(want) == len(KY.entries if lang == "ky" else RU.entries)
    # Same links and statuses, or every difference is flagged for a person to check.
    if got != want:
        assert ocr.outcome == Outcome.NEEDS_REVIEW, (got, want)
    assert ocr.agency == text.agency and ocr.period == text.period
    assert ocr.language == lang


@pytest.mark.ocr
@needs_tesseract
def test_sideways_page_is_turned_upright(ocr_docs):
    doc = ocr_docs["ru"]
    assert doc.metadata["ocr_rotated_pages"] == "1"
    assert "Министерство внутренних дел" in doc.text


# --------------------------------------------------------------------------- confidence → review


def _doc(row_confidence: tuple[float, ...], ocr: bool = True) -> Document:
    return Document(
        "scan.png",
        paragraphs=(Paragraph("1.4. Тренинг өттү", "page 1 line 6", 0.4),),
        tables=(
            Table(
                (("1.1", "аткарылды"), ("1.2", "аткарылууда")),
                "page 1 table 1",
                ("page 1 row 2", "page 1 row 3"),
                confidence=min(row_confidence),
                row_confidence=row_confidence,
            ),
        ),
        ocr=ocr,
    )


def _entries() -> list[Entry]:
    return [
        Entry("1.1", "completed", "x", "reference", 1.0, "page 1 row 2"),
        Entry("1.2", "in_progress", "y", "reference", 1.0, "page 1 row 3"),
        Entry("1.4", "completed", "z", "reference", 1.0, "page 1 line 6"),
    ]


def test_low_confidence_entries_are_flagged_for_review():
    entries, problems = flag_low_confidence(_entries(), _doc((0.93, 0.41)))
    assert [bool(e.review_reason) for e in entries] == [False, True, True]
    assert entries[1].confidence == 0.41 and "OCR" in entries[1].review_reason
    assert problems == ["2 entries read by OCR with low confidence (page 1 row 3, page 1 line 6)"]


def test_text_layer_documents_are_never_flagged():
    entries, problems = flag_low_confidence(_entries(), _doc((0.1, 0.1), ocr=False))
    assert not problems and not any(e.review_reason for e in entries)


def test_read_report_sends_doubtful_ocr_to_review(tmp_path):
    """The rule inside read_report: a text report turned into a doubtful OCR document."""
    path = write_pdf_report(
        tmp_path / "r.pdf",
        KY.agency,
        KY.period_text,
        KY.date_text,
        list(KY.entries),
        "ky",
    )
    text_doc = read_document(path)
    sure = read_report(text_doc, None, path.name)
    table = text_doc.tables[0]
    low = tuple(0.3 if i == 2 else 0.95 for i in range(len(table.rows)))
    scanned = Document(
        text_doc.source,
        tuple(Paragraph(p.text, p.location, 0.95) for p in text_doc.paragraphs),
        (Table(table.rows, table.location, table.row_locations, 0.3, low),),
        ocr=True,
    )
    doubtful = read_report(scanned, None, path.name)
    assert sure.outcome == Outcome.ACCEPTED
    assert doubtful.outcome == Outcome.NEEDS_REVIEW
    assert "read by OCR with low confidence" in doubtful.reason
    assert [e.measure_id for e in doubtful.entries] == [e.measure_id for e in sure.entries]
    assert sum(1 for e in doubtful.entries if e.review_reason) == 1
