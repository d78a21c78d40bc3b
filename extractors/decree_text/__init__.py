"""Converter text (tab-separated lines from a PDF-to-text/markdown converter) → `DecreeText`.

The converter writes one line per *physical* table row: a page break splits one logical row
into a start line and continuation lines, and some lines lost a leading (or inner) empty
cell, so their fragments sit one or two cells left of their column. We therefore place
every fragment by content and neighbours, not by position alone:

1. `line_to_fragments`: split each line into cleaned, non-empty fragments.
2. A *start line* carries a measure number (`6.1.`, `23.3 `), pinned to the measures
   column; it opens a new logical row. Other lines continue the current row.
3. Every line is aligned onto the header's columns by `align_fragments`, an edit-distance
   alignment of its cells (empty ones included): a column may be missing from the line
   (the cells after it drift left), an empty cell may be extra, and each text cell scores
   by (a) how well its words fit the column — a per-column word model trained on this very
   document's start lines, so it works for any language —, and on continuation lines
   (b) whether the previous row's cell in that column waits for more: empty (hardly),
   ending in a comma or an open bracket (surely), ending in a word that typically ends
   that column's cells, like "өткөрүү" for measures (probably not).
4. A start-line cell holding several `<p>` blocks carries the tail of the previous row's
   cell first and the new row's cell last (the converter merged the two across a page break).

Everything is pure; `read_decree_text(path)` is the only function that touches the disk.

The package, one module per concern (every name importable from `extractors.decree_text`):
`model` (settings, fragments, lines, layout), `lines` (fragments, header, table end, title),
`column_model` (per-column word model), `alignment` (cells onto columns), `rows` (lines to
logical rows), `reader` (the whole document).
"""

from extractors.decree_text.alignment import (
    CellScorer,
    align_fragments,
    best_alignment,
    is_unfinished,
)
from extractors.decree_text.column_model import (
    ColumnModel,
    tokens,
)
from extractors.decree_text.lines import (
    clean_fragment,
    find_header,
    find_table_end,
    find_title,
    line_to_fragments,
)
from extractors.decree_text.model import (
    DELETE_COST,
    EMPTY_CELL_PENALTY,
    ENDING_CAP,
    ENDING_WEIGHT,
    FORBIDDEN,
    HEAD_WEIGHT,
    INSERT_COST,
    LEAD_DELETE_COST,
    MAX_ANCHOR_SHIFT,
    OPEN_END,
    OPEN_END_BONUS,
    START_CONTENT_WEIGHT,
    TASK_NO_BONUS,
    Fragment,
    Layout,
    Line,
    TextReaderSettings,
)
from extractors.decree_text.reader import (
    read_decree_text,
    text_to_decree,
)
from extractors.decree_text.rows import (
    choose_anchor,
    lines_to_rows,
    measure_anchor,
    open_cells,
    section_of,
    start_line_to_row,
    train_model,
)

__all__ = [
    "CellScorer",
    "ColumnModel",
    "DELETE_COST",
    "EMPTY_CELL_PENALTY",
    "ENDING_CAP",
    "ENDING_WEIGHT",
    "FORBIDDEN",
    "Fragment",
    "HEAD_WEIGHT",
    "INSERT_COST",
    "LEAD_DELETE_COST",
    "Layout",
    "Line",
    "MAX_ANCHOR_SHIFT",
    "OPEN_END",
    "OPEN_END_BONUS",
    "START_CONTENT_WEIGHT",
    "TASK_NO_BONUS",
    "TextReaderSettings",
    "align_fragments",
    "best_alignment",
    "choose_anchor",
    "clean_fragment",
    "find_header",
    "find_table_end",
    "find_title",
    "is_unfinished",
    "line_to_fragments",
    "lines_to_rows",
    "measure_anchor",
    "open_cells",
    "read_decree_text",
    "section_of",
    "start_line_to_row",
    "text_to_decree",
    "tokens",
    "train_model",
]
