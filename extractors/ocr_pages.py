"""The pages of a scanned PDF read by OCR in parallel, one process per core.

Tesseract reads one page on one core well; OpenMP threads inside it mostly fight over the
same cores (`OMP_THREAD_LIMIT=1` per process, as its authors advise for parallel runs). So
each page is rasterized and read whole (`extractors.ocr.read_page`) in a worker process of a
pool sized to the cores this process may use, and the pages come back in order. A document
of one page, or a machine with one core, is read in this process.

Progress: `reading_pages(on_progress)` around any read makes the pages report
`on_progress(done, total)` as each is read — the CLI draws a bar from it; nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import ContextVar
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # OpenCV and Tesseract load in the workers, when a page is read
    from extractors.ocr import OcrPage, OcrSettings

POINTS_PER_INCH = 72.0
OnProgress = Callable[[int, int], None]

_on_progress: ContextVar[OnProgress | None] = ContextVar("ocr_on_progress", default=None)


@contextmanager
def reading_pages(on_progress: OnProgress | None) -> Iterator[None]:
    """Within this block, OCR'd documents report (pages read, pages) to `on_progress`."""
    token = _on_progress.set(on_progress)
    try:
        yield
    finally:
        _on_progress.reset(token)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_pdf_pages(
    path: Path, n_pages: int, dpi: int, settings: OcrSettings, workers: int | None = None
) -> list[OcrPage]:
    """Pages 1..n_pages of the PDF at `path`, each rendered at `dpi` and read once, in order."""
    report = _on_progress.get()
    workers = min(workers or usable_cores(), n_pages)
    if workers <= 1:
        pages = []
        for index in range(n_pages):
            pages.append(read_pdf_page(str(path), index, dpi, settings))
            if report:
                report(index + 1, n_pages)
        return pages
    # spawn, not fork: the caller may hold threads (Prefect, the ledger's pool) and locks.
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_one_thread_per_tesseract
    ) as pool:
        futures = {
            pool.submit(read_pdf_page, str(path), i, dpi, settings): i for i in range(n_pages)
        }
        pages: dict[int, OcrPage] = {}
        for future in as_completed(futures):
            pages[futures[future]] = future.result()
            if report:
                report(len(pages), n_pages)
    return [pages[i] for i in range(n_pages)]


def read_pdf_page(path: str, index: int, dpi: int, settings: OcrSettings) -> OcrPage:
    """One page, rasterized here (a worker gets a path and a number, not an image)."""
    import pypdfium2 as pdfium

    from extractors.ocr import read_page

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[index]
        image = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        pdf.close()
    return read_page(image, settings, source_dpi=dpi)


def _one_thread_per_tesseract() -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
