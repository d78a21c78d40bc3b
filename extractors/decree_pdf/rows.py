"""Columns and rows: header grid, cells to columns, physical rows stitched into logical rows
across page breaks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from core.model import PLAN_COLUMNS, Provenance, measure_sort_key
from core.text import join_fragments
from extractors.decree_columns import map_header
from extractors.decree_pdf.model import Cell, Grid, PdfSettings, TableRow
from extractors.decree_rows import RawRow

# joins the two pieces of a cell cut by a page break: (upper, lower, upper's last line is
# one word filling the cell) → text
CutJoin = Callable[[str, str, bool], str]
_MEASURE_NO = re.compile(r"^\s*(\d+)\s*\.\s*(\d+)")
_TASK_NO = re.compile(r"^\s*\d[\d\s.]*$")


def row_to_grid(row: TableRow) -> Grid | None:
    """The column grid if `row` is the plan's header row (found by header words), else None."""
    mapping = map_header([cell.text for cell in row.cells])
    if mapping is None:
        return None
    return {column: (row.cells[i].x0, row.cells[i].x1) for i, column in mapping.items()}


def is_number_row(row: TableRow) -> bool:
    """The row of column numbers (1 2 3 … 9) many decrees print under the header."""
    texts = [cell.text for cell in row.cells]
    return len(texts) >= 6 and texts == [str(i) for i in range(1, len(texts) + 1)]


def row_to_cells(row: TableRow, grid: Grid, settings: PdfSettings) -> tuple[dict[str, str], bool]:
    """Cell texts keyed by canonical column, and whether the row spans the table (a chapter
    or goal row: one cell with text across most columns, any other cell empty). A cell
    belongs to the first header column it covers; a cell narrower than any header column
    goes to the column it overlaps most."""
    cells: dict[str, str] = dict.fromkeys(PLAN_COLUMNS, "")
    with_text = [p for p in _placed(row, grid, settings) if p[2].text]
    if len(with_text) == 1 and with_text[0][1] >= settings.min_spanning_columns:
        cells[PLAN_COLUMNS[0]] = with_text[0][2].text
        return cells, True
    for column, _, cell in with_text:
        if column is not None:
            cells[column] = join_fragments(cells[column], cell.text)
    return cells, False


def _placed(row: TableRow, grid: Grid, settings: PdfSettings) -> list[tuple[str | None, int, Cell]]:
    """Each cell with its column (see `row_to_cells`) and how many header columns it covers."""
    tol = settings.column_tolerance
    placed: list[tuple[str | None, int, Cell]] = []
    for cell in row.cells:
        covered = [c for c, (x0, x1) in grid.items() if x0 >= cell.x0 - tol and x1 <= cell.x1 + tol]
        column = covered[0] if covered else _most_overlapped(cell, grid)
        placed.append((column, len(covered), cell))
    return placed


def _last_cells(row: TableRow, grid: Grid, settings: PdfSettings) -> dict[str, Cell]:
    """Per column, the row's last cell with text in it: where a page break cuts the cell,
    its last line's end (`Cell.ends`, `Cell.full`) says how the next page's piece joins."""
    return {
        column: cell
        for column, _, cell in _placed(row, grid, settings)
        if column is not None and cell.text
    }


def _most_overlapped(cell: Cell, grid: Grid) -> str | None:
    overlaps = {c: min(cell.x1, x1) - max(cell.x0, x0) for c, (x0, x1) in grid.items()}
    best = max(overlaps, key=overlaps.__getitem__, default=None)
    return best if best is not None and overlaps[best] > 0 else None


def starts_new_row(cells: Mapping[str, str], previous: RawRow) -> bool:
    """Does a row at the top of a page start a row of its own, or continue the last row of
    the previous page? Decided from content: a task number, or a measure number beyond the
    previous row's, starts a new row; a row without either is the rest of the broken row.
    A previous row without its measure number is itself only the head of a broken row (the
    measure cell moved whole to the next page while a short cell stayed), so it continues."""
    if previous.spanning:
        return True
    if _TASK_NO.match(cells["task_no"]):
        return True
    old = _MEASURE_NO.match(previous.cells["text"])
    if old is None:
        return False
    new = _MEASURE_NO.match(cells["text"])
    return new is not None and measure_sort_key(new.group(0)) > measure_sort_key(old.group(0))


@dataclass
class Stitched:
    """The plan table put back together: logical rows, the page its header was found on
    (None: no plan table) and cell text that lay under no header column."""

    rows: list[RawRow]
    header_page: int | None
    unassigned: list[tuple[str, Provenance]]


def rows_to_logical_rows(
    rows: Iterable[TableRow],
    source: str,
    settings: PdfSettings,
    join: CutJoin | None = None,
) -> Stitched:
    """Stitch physical table rows of all pages into logical rows.

    Header rows (first or repeated) reset the column grid; number rows and empty rows drop;
    a row at the top of a page joins the previous page's last row if `starts_new_row` says
    it does not start one of its own; the two pieces of each cut cell join as the page says
    (`_join_cut`), else by `join` (`joining.cut_joiner`; default `plain_join`).
    """
    join = join or plain_join
    grid: Grid | None = None
    done = Stitched([], None, [])
    page_of_last = 0
    above: dict[str, Cell] = {}  # the last row's `_last_cells`
    for row in rows:
        found = row_to_grid(row)
        if found is not None:
            grid, done.header_page = found, done.header_page or row.page
            continue
        if grid is None or is_number_row(row):
            continue
        where = Provenance(source, pages=(row.page,))
        done.unassigned += [(text, where) for text in unplaced_texts(row, grid)]
        cells, spanning = row_to_cells(row, grid, settings)
        if not any(cells.values()):
            continue
        top_of_page = row.page != page_of_last
        page_of_last = row.page
        logical = done.rows
        if top_of_page and logical and not spanning and not starts_new_row(cells, logical[-1]):
            _extend(logical[-1], cells, where, join, above)
        else:
            logical.append(_new_row(cells, spanning, where))
        above = _last_cells(row, grid, settings)
    return done


def unplaced_texts(row: TableRow, grid: Grid) -> list[str]:
    """Text of cells lying under no header column (outside the header's width)."""
    return [cell.text for cell in row.cells if cell.text and _most_overlapped(cell, grid) is None]


def _new_row(cells: dict[str, str], spanning: bool, where: Provenance) -> RawRow:
    return RawRow(cells, {c: where for c, text in cells.items() if text}, spanning)


def _extend(
    row: RawRow,
    cells: Mapping[str, str],
    where: Provenance,
    join: CutJoin,
    above: Mapping[str, Cell],
) -> None:
    for column, text in cells.items():
        if text:  # a page break cut the cell: `үй-` / `бүлөлүк` joins like a wrapped line
            row.cells[column] = _join_cut(row.cells.get(column, ""), text, join, above.get(column))
            row.provenance[column] = (
                row.provenance[column].merge(where) if column in row.provenance else where
            )


def _join_cut(left: str, right: str, join: CutJoin, cell: Cell | None) -> str:
    """The two pieces of a cell cut by a page break: as the page says (`Cell.ends` of the
    upper piece's last line: a space, or nothing), else by `join`, told whether that line
    is one word filling the cell."""
    end = cell.ends[-1] if cell is not None and cell.ends else None
    if not left or end is None:
        last = (cell.lines[-1] if cell.lines else cell.text) if cell is not None else ""
        alone = cell is not None and bool(cell.full) and cell.full[-1] and " " not in last
        return join(left, right, alone)
    return f"{left} {right}" if end else left + right


def plain_join(left: str, right: str, alone: bool = False) -> str:
    """Two pieces of a cell joined with a space (a producer that wraps at spaces only)."""
    return join_fragments(left, right)
