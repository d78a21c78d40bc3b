"""Phone photos of a one-page report (tests/fixtures/photos.py): the sheet found and made
rectangular, the light evened, EXIF orientation honoured, then read exactly in both
languages; a photo read with low confidence goes to review with the reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from core.model import Outcome
from extractors.ocr import find_ruling_lines, skew_angle, tesseract_available
from extractors.ocr.photo import flatten_photo, order_corners
from extractors.reports import read_document
from normalizers.report_reading import read_report
from tests.fixtures.photos import PHOTO_CASES, photograph, render_page, write_photo

needs_tesseract = pytest.mark.skipif(
    not tesseract_available(),
    reason="tesseract with kir+rus data is not installed: "
    "apt-get install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does it)",
)
pytestmark = pytest.mark.xdist_group("report_photos")
BY_LANG = {case.lang: case for case in PHOTO_CASES}
A4_RATIO = 297 / 210


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("photos")
    # The Russian photo is stored sideways with an EXIF orientation tag, as phones do.
    return {
        lang: write_photo(case, folder, sideways_exif=lang == "ru")
        for lang, case in BY_LANG.items()
    }


def _gray(path: Path) -> np.ndarray:
    return np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("L"))


def test_the_sheet_is_found_levelled_and_made_rectangular():
    photo = np.asarray(photograph(render_page(BY_LANG["ky"]), tilt=3.0).convert("L"))
    assert abs(skew_angle(photo)) > 2.0  # the raw photo is visibly turned
    flat = flatten_photo(photo)
    assert flat.page_found
    height, width = flat.gray.shape
    assert abs(height / width - A4_RATIO) < 0.03  # keystone undone: A4 proportions again
    assert abs(skew_angle(flat.gray)) <= 0.3
    rulings = find_ruling_lines(flat.gray)
    assert (len(rulings.horizontal), len(rulings.vertical)) == (6, 5)  # header + 4 rows, 4 cols
    # the light is even: paper at the far (dark) corner and the near one within a few levels
    paper = [np.percentile(flat.gray[:300, :300], 90), np.percentile(flat.gray[-300:, -300:], 90)]
    assert abs(paper[0] - paper[1]) < 12


def test_a_flatbed_scan_has_no_sheet_edge_and_is_left_as_it_is():
    page = np.asarray(render_page(BY_LANG["ru"]))
    flat = flatten_photo(page)
    assert not flat.page_found and flat.gray.shape == page.shape


def test_corners_are_ordered_clockwise_from_top_left():
    points = np.float32([[90, 880], [10, 20], [900, 850], [950, 40]])
    assert order_corners(points).tolist() == [[10, 20], [950, 40], [900, 850], [90, 880]]


def test_exif_orientation_is_honoured(photos):
    stored = Image.open(photos["ru"])
    assert stored.width > stored.height  # pixels stored sideways ...
    assert _gray(photos["ru"]).shape[0] > _gray(photos["ru"]).shape[1]  # ... shown upright


@needs_tesseract
@pytest.mark.slow
@pytest.mark.parametrize("lang", list(BY_LANG))
def test_photo_reads_exactly(photos, seed_plan, lang):
    case = BY_LANG[lang]
    document = read_document(photos[lang])
    assert document.ocr
    reading = read_report(document, seed_plan, case.name)
    assert reading.outcome == Outcome.ACCEPTED, reading.reason
    assert (reading.agency, reading.period, reading.report_date) == (
        case.agency_code,
        case.period,
        case.received,
    )
    assert tuple((e.measure_id, e.status) for e in reading.entries) == case.statuses


@needs_tesseract
@pytest.mark.slow
def test_a_photo_read_with_low_confidence_goes_to_review_with_the_reason(tmp_path, seed_plan):
    # A smudge across rows 2-4 of the table (PNG this time): those rows are read badly.
    case = replace(BY_LANG["ky"], name="БИМ маалымат.png")
    path = write_photo(case, tmp_path, smudge=(0.30, 0.37))
    reading = read_report(read_document(path), seed_plan, case.name)
    assert reading.outcome == Outcome.NEEDS_REVIEW
    assert "read by OCR with low confidence" in reading.reason
    trusted = [e for e in reading.entries if not e.review_reason]
    assert [(e.measure_id, e.status) for e in trusted] == [case.statuses[0]]  # the clean row
    doubtful = [
        e for e in reading.entries if "OCR read this entry with low confidence" in e.review_reason
    ]
    assert doubtful and all(e.confidence < 0.6 for e in doubtful)


def test_heic_photo_is_claimed_and_opened_like_a_jpeg(photos, tmp_path):
    from extractors import report_image
    from extractors.reports import reader_for

    # HEIF keeps a photo's turn in its own container (irot), not EXIF: save it upright.
    # x265's fastest preset: its default spent ~17 CPU-s on this one sheet (3 min under CI's
    # load); what is tested is how the file is claimed and opened, not how it is compressed.
    heic = tmp_path / "IMG_0042.HEIC"
    upright = ImageOps.exif_transpose(Image.open(photos["ru"]))
    upright.save(heic, format="HEIF", quality=90, enc_params={"preset": "ultrafast"})
    assert reader_for(heic, heic.read_bytes()[:2048]) is report_image
    ((page, dpi),) = report_image._image_pages(heic, 1, 80_000_000)
    ((jpeg_page, jpeg_dpi),) = report_image._image_pages(photos["ru"], 1, 80_000_000)
    assert page.size == jpeg_page.size and abs(dpi - jpeg_dpi) < 1  # the same sheet found
