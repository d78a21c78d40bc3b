"""Scanned reports: image files and image-only PDFs, read with OCR into a Document.

Claims photos and scans (`.png/.jpg/.jpeg/.tif/.tiff/.heic`, by magic bytes) and PDFs with a page
that has no text layer (fewer than a few characters, but images); such a PDF is OCR'd whole. Each page goes through
`extractors.ocr.read_page`; its ruled table becomes a `Table` (per-row OCR confidence in
`row_confidence`) and the text around it `Paragraph`s (one per line, with confidence), so
the same entry extraction as for text reports follows. Without Tesseract the file is
refused with the reason that says how to switch OCR on. An image is turned as its EXIF
orientation says; a phone photo (a sheet on a darker ground) has the sheet cut out, made
rectangular and its light evened (`extractors.ocr.photo`) before the page chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from core.errors import UnreadableReport
from core.model import Document, Paragraph, Table
from core.text import clean_cell
from extractors.ocr import OcrPage, OcrSettings, read_page, tesseract_available
from extractors.ocr.photo import flatten_photo
from extractors.report_settings import ReaderSettings, over_limit

try:  # iPhones save photos as HEIC; pillow-heif teaches Pillow to open them
    import pillow_heif
except ImportError:  # pragma: no cover - a declared dependency; HEIC is then unsupported
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
# ISO base media file: "ftyp" at offset 4, then the brand of a HEIF still image
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
PDF_MAGIC = b"%PDF"
ENABLE_OCR = (
    "install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does this as root)"
)
MIN_TEXT_CHARS_PER_PAGE = 10  # fewer text-layer characters than this: an image-only page
MAX_OCR_PAGES = 40  # ~2-3 s a page: a longer scan is not a half-year report
A4_SHORT_SIDE_INCHES = 8.27  # to guess the resolution of a photo that does not say
MIN_TRUSTED_DPI = 100  # a scanner writes its real dpi; below this it is a camera's default


def can_read(path: Path, head: bytes) -> bool:
    """Images by magic bytes (or suffix, for damaged files); PDFs only without text layer."""
    if head.startswith(IMAGE_MAGIC):
        return True
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return pillow_heif is not None
    if PDF_MAGIC in head[:1024]:
        return has_scanned_pages(path)
    return path.suffix.lower() in SUFFIXES


def has_scanned_pages(path: Path) -> bool:
    """True for a PDF with a page that carries (almost) no text but images: a scan, or a
    typed letter with a scanned annex (read whole by OCR then). Files pypdfium2 cannot open
    are left to the text-PDF reader, which explains what is wrong with them."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError):
        return False
    try:
        for page in pdf:
            chars = page.get_textpage().count_chars()
            if chars < MIN_TEXT_CHARS_PER_PAGE and any(
                True for _ in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,))
            ):
                return True
        return False
    finally:
        pdf.close()


def read(
    path: Path, settings: ReaderSettings | None = None, ocr: OcrSettings | None = None
) -> Document:
    """OCR every page into one Document (`ocr=True`); raises UnreadableReport with a reason."""
    settings = ReaderSettings.resolve(settings)
    ocr = OcrSettings.resolve(ocr)
    kind = "scanned PDF" if _is_pdf(path) else "image"
    if not tesseract_available(ocr.langs):
        raise UnreadableReport(path, f"{kind} needs OCR, which is not installed: {ENABLE_OCR}")
    paragraphs: list[Paragraph] = []
    tables: list[Table] = []
    turns = []
    for number, (image, dpi) in enumerate(_pages(path, settings, ocr), start=1):
        page = read_page(image, ocr, source_dpi=dpi)
        paragraphs += page_paragraphs(page, number)
        table = page_table(page, number)
        if table is not None:
            tables.append(table)
        turns.append(page.rotation)
    if not paragraphs and not tables:
        raise UnreadableReport(path, f"{kind}: OCR found no text")
    metadata = {"ocr_pages": str(len(turns)), "ocr_langs": ocr.langs}
    if any(turns):
        metadata["ocr_rotated_pages"] = ",".join(str(i) for i, t in enumerate(turns, 1) if t)
    return Document(
        source=path.name,
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        metadata=metadata,
        ocr=True,
    )


def page_paragraphs(page: OcrPage, number: int) -> list[Paragraph]:
    """One Paragraph per text line outside the table, as the text-PDF reader makes them."""
    out = []
    for n, line in enumerate(page.lines, start=1):
        text = clean_cell(line.text)
        if text:
            out.append(Paragraph(text, f"page {number} line {n}", round(line.confidence, 3)))
    return out


def page_table(page: OcrPage, number: int) -> Table | None:
    """The page's ruled table; each row's confidence is its least sure non-empty cell."""
    if page.table is None:
        return None
    rows, locations, confidences = [], [], []
    for r, row in enumerate(page.table.cells, start=1):
        cells = tuple(clean_cell(c.text) for c in row)
        if not any(cells):
            continue
        rows.append(cells)
        locations.append(f"page {number} row {r}")
        confidences.append(round(min(c.confidence for c in row if c.text), 3))
    if not rows:
        return None
    return Table(
        tuple(rows),
        f"page {number} table 1",
        tuple(locations),
        confidence=round(min(confidences), 3),
        row_confidence=tuple(confidences),
    )


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return PDF_MAGIC in handle.read(1024)


def _pages(
    path: Path, settings: ReaderSettings, ocr: OcrSettings
) -> Iterator[tuple[Image.Image, float]]:
    """Page images with their resolution in dpi (0 when unknown)."""
    limit = min(settings.max_pdf_pages, MAX_OCR_PAGES)
    if _is_pdf(path):
        yield from _pdf_pages(path, ocr.dpi, limit, settings.max_page_pixels)
    else:
        yield from _image_pages(path, limit, settings.max_page_pixels)


def _pdf_pages(
    path: Path, dpi: int, limit: int, max_pixels: int
) -> Iterator[tuple[Image.Image, float]]:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as err:
        raise UnreadableReport(path, f"corrupt or encrypted scanned PDF ({err})") from err
    try:
        if len(pdf) > limit:
            raise UnreadableReport(path, f"too many pages to OCR ({len(pdf)}, limit {limit})")
        for number, page in enumerate(pdf, start=1):
            _check_page_size(path, page, number, dpi, max_pixels)  # before rendering it
            yield page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"), dpi
            page.close()
    finally:
        pdf.close()


def _check_page_size(path: Path, page, number: int, dpi: int, max_pixels: int) -> None:
    """A page's size in points says how many pixels rendering it at `dpi` would take."""
    width, height = page.get_size()
    pixels = round(width * dpi / 72) * round(height * dpi / 72)
    if pixels > max_pixels:
        what = f"page {number} too large to render ({width / 72:.0f} x {height / 72:.0f} inches at {dpi} dpi), pixels"
        raise over_limit(path, what, pixels, max_pixels, "max_page_pixels")


def _image_pages(path: Path, limit: int, max_pixels: int) -> Iterator[tuple[Image.Image, float]]:
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError) as err:
        raise UnreadableReport(path, f"corrupt or unknown image ({err})") from err
    with image:
        frames = getattr(image, "n_frames", 1)
        if frames > limit:
            raise UnreadableReport(path, f"too many pages to OCR ({frames}, limit {limit})")
        for frame in ImageSequence.Iterator(image):
            if frame.width * frame.height > max_pixels:
                what = f"image too large ({frame.width}x{frame.height}), pixels"
                raise over_limit(
                    path, what, frame.width * frame.height, max_pixels, "max_page_pixels"
                )
            try:
                page = ImageOps.exif_transpose(frame).convert("L")  # phones store it turned
            except OSError as err:
                raise UnreadableReport(path, f"corrupt image ({err})") from err
            flat = flatten_photo(np.asarray(page))
            if flat.page_found:  # a photo: the sheet cut out, its size gives the dpi
                yield Image.fromarray(flat.gray), min(flat.gray.shape) / A4_SHORT_SIDE_INCHES
            else:
                yield page, _dpi_of(frame)


def _dpi_of(image: Image.Image) -> float:
    """The resolution a scan says it has, else a guess from an A4 page's short side (phones
    and screenshots write 72 or 96 dpi whatever the picture holds)."""
    dpi = image.info.get("dpi")
    if dpi and float(dpi[0]) >= MIN_TRUSTED_DPI:
        return float(dpi[0])
    return min(image.size) / A4_SHORT_SIDE_INCHES
