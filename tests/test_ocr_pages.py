"""extractors.ocr_pages: the pages of a scanned PDF read in worker processes, in order,
each reported as it is read; the same pages as one process reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.ocr import OcrSettings, tesseract_available
from extractors.ocr_pages import read_pdf_pages, reading_pages

WORDS = ("Министрлик", "Отчет", "Жыйынтык")

pytestmark = pytest.mark.skipif(
    not tesseract_available(OcrSettings().langs), reason="tesseract is not installed"
)


def scanned_pages(path: Path) -> Path:
    """A 3-page image-only PDF, one big word per page (fast to read, easy to tell apart)."""
    font = ImageFont.truetype("DejaVuSans.ttf", 64)
    images = []
    for word in WORDS:
        image = Image.new("L", (1100, 400), 255)
        ImageDraw.Draw(image).text((80, 150), word, fill=0, font=font)
        images.append(image)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=150)
    return path


@pytest.mark.slow
def test_pages_come_back_in_order_from_the_pool_and_match_one_process(tmp_path: Path):
    pdf = scanned_pages(tmp_path / "scan.pdf")
    settings = OcrSettings()
    seen: list[tuple[int, int]] = []
    with reading_pages(lambda done, total: seen.append((done, total))):
        pooled = read_pdf_pages(pdf, len(WORDS), 150, settings, workers=2)
    alone = read_pdf_pages(pdf, len(WORDS), 150, settings, workers=1)
    texts = [" ".join(w.text for w in page.words) for page in pooled]
    assert [word in text for word, text in zip(WORDS, texts, strict=True)] == [True] * 3
    assert pooled == alone  # a page reads the same in a worker as here
    assert seen == [(1, 3), (2, 3), (3, 3)]  # one report per page, none after the block
