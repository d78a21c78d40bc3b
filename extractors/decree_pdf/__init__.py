"""Read a decree PDF's action-plan table into logical rows (`DecreeText`) with pdfplumber.

pdfplumber finds the ruled table on each page and stops at the page edge; the rest is ours:
find the columns by their header words (Kyrgyz or Russian) and map every cell to a column by
its x-position under the header, drop header rows repeated on later pages (and the row of
column numbers some decrees print under the header), tell chapter/goal rows (one cell across
the table) from measure rows, and stitch a row broken by a page break back together. A row at
the top of a page continues the previous page's last row when its content says so: no task
number and no new measure number of its own. Each page is closed after use so memory stays
flat on a long decree.

Pipeline: `page_to_content` (pdfplumber, per page) → `contents_to_decree` (pure): header
detection, `row_to_cells`, `rows_to_logical_rows`, title above the table, abbreviation list
after it.

The package, one module per concern (every name importable from `extractors.decree_pdf`):
`model` (settings, cells, rows, page content), `cells` (pdfplumber page → cells and text
lines: characters dealt to cells), `joining` (a cell's lines joined: hyphen rule, no-hyphen
breaks), `rows` (header grid, columns, rows stitched across pages), `text_around` (title,
abbreviation list), `reader` (the whole file).
"""

from extractors.decree_pdf.cells import (
    chars_by_cell,
    chars_to_lines,
    page_to_content,
    rule_ends,
    table_to_rows,
)
from extractors.decree_pdf.joining import (
    FULL_LINE_LETTERS,
    SPACE_ONLY_PRODUCERS,
    breaks_inside_words,
    rejoin_cells,
)
from extractors.decree_pdf.model import (
    COLUMN_TOLERANCE,
    INDENT_TOLERANCE,
    INTERSECTION_TOLERANCE,
    LINE_TOLERANCE,
    MAX_PAGES,
    MIN_RULE,
    MIN_SPANNING_COLUMNS,
    SCANNED_REASON,
    SNAP_TOLERANCE,
    Cell,
    Grid,
    PageContent,
    PdfSettings,
    TableRow,
    TextLine,
)
from extractors.decree_pdf.reader import (
    contents_to_decree,
    read_decree_pdf,
    stray_lines,
)
from extractors.decree_pdf.rows import (
    Stitched,
    is_number_row,
    row_to_cells,
    row_to_grid,
    rows_to_logical_rows,
    starts_new_row,
    unplaced_texts,
)
from extractors.decree_pdf.text_around import (
    abbreviation_lines,
    title_lines,
)

__all__ = [
    "COLUMN_TOLERANCE",
    "Cell",
    "FULL_LINE_LETTERS",
    "Grid",
    "INDENT_TOLERANCE",
    "INTERSECTION_TOLERANCE",
    "LINE_TOLERANCE",
    "MAX_PAGES",
    "MIN_RULE",
    "MIN_SPANNING_COLUMNS",
    "PageContent",
    "PdfSettings",
    "SCANNED_REASON",
    "SNAP_TOLERANCE",
    "SPACE_ONLY_PRODUCERS",
    "Stitched",
    "TableRow",
    "TextLine",
    "abbreviation_lines",
    "breaks_inside_words",
    "chars_by_cell",
    "chars_to_lines",
    "contents_to_decree",
    "is_number_row",
    "page_to_content",
    "read_decree_pdf",
    "rejoin_cells",
    "row_to_cells",
    "row_to_grid",
    "rows_to_logical_rows",
    "rule_ends",
    "starts_new_row",
    "stray_lines",
    "table_to_rows",
    "title_lines",
    "unplaced_texts",
]
