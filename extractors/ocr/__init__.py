"""OCR building blocks: Tesseract word boxes, page orientation and skew, ruling lines, tables.

Everything here works on one page image and returns plain values; the readers
(`report_image`, `decree_ocr`) chain them. Measured on this project's scans: `rus+kir` is
needed (Russian data alone misreads ң, ө, ү), `--psm 4` reads ruled table pages better than
`--psm 6` (which reads grid lines as characters), and one OpenMP thread per Tesseract process
is several times faster on a busy two-core machine. A scanned table has no vector lines, so
the grid is found on the image with morphology and words are placed into its cells.

Modules, in the order a page goes through them: `settings` (OcrSettings and the measured
defaults), `words` (Tesseract words, lines, number repair), `geometry` (grayscale, turns,
skew, ruling lines), `tables` (grid cells, strips of cell crops, borderless tables), `page`
(`read_page`, the whole chain). The public names stay importable from `extractors.ocr`.
"""

from extractors.ocr.geometry import (
    Rulings,
    binarize,
    deskew,
    find_ruling_lines,
    letter_height,
    remove_rulings,
    rotate_quarter,
    skew_angle,
    text_is_vertical,
    to_gray,
    upright,
)
from extractors.ocr.page import UPSIDE_DOWN_CONFIDENCE, OcrPage, read_page
from extractors.ocr.settings import (
    DEFAULT_DPI,
    DEFAULT_LANGS,
    DEFAULT_MAX_SKEW,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_PSM,
    MIN_SOURCE_DPI,
    OcrSettings,
)
from extractors.ocr.tables import (
    Cell,
    OcrTable,
    read_cells,
    rulings_to_regions,
    words_to_table,
)
from extractors.ocr.words import (
    Line,
    Word,
    image_to_words,
    repair_number,
    tesseract_available,
    tsv_to_words,
    words_confidence,
    words_to_lines,
    words_to_text,
)

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_LANGS",
    "DEFAULT_MAX_SKEW",
    "DEFAULT_MIN_CONFIDENCE",
    "DEFAULT_PSM",
    "MIN_SOURCE_DPI",
    "UPSIDE_DOWN_CONFIDENCE",
    "Cell",
    "Line",
    "OcrPage",
    "OcrSettings",
    "OcrTable",
    "Rulings",
    "Word",
    "binarize",
    "deskew",
    "find_ruling_lines",
    "image_to_words",
    "letter_height",
    "read_cells",
    "read_page",
    "remove_rulings",
    "repair_number",
    "rotate_quarter",
    "rulings_to_regions",
    "skew_angle",
    "text_is_vertical",
    "to_gray",
    "tesseract_available",
    "tsv_to_words",
    "upright",
    "words_confidence",
    "words_to_lines",
    "words_to_table",
    "words_to_text",
]
