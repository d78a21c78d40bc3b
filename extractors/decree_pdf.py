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
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pdfplumber.utils import extract_words
from pdfplumber.utils.clustering import cluster_objects
from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, WordExtractor, get_line_cluster_key

from core.errors import UnreadableDecree
from core.model import PLAN_COLUMNS, Provenance, measure_sort_key
from core.settings import resolve_settings
from core.text import clean_cell, join_fragments
from extractors.decree_columns import header_vocab, map_header
from extractors.decree_rows import DecreeText, RawRow
from extractors.hyphens import Vocabulary, join_lines, join_two
from extractors.pdf_open import open_pdf

SNAP_TOLERANCE = 3.0  # pt: ruling lines this close are one line (pdfplumber's default)
INTERSECTION_TOLERANCE = 3.0  # pt: how near lines must come to make a cell corner
COLUMN_TOLERANCE = 4.0  # pt: a cell edge this near a header column's edge lies on it
MIN_SPANNING_COLUMNS = 5  # a cell across this many header columns is a chapter/goal row
LINE_TOLERANCE = 3.0  # pt: words whose tops differ less than this share a text line
INDENT_TOLERANCE = 4.0  # pt: lines starting this near the list's left edge start an entry
MIN_RULE = 6.0  # pt: a vertical edge shorter than this is not a table rule
MAX_PAGES = 2000  # a decree annex longer than this is not a decree; refuse, don't grind
# A wrapped line whose right gap (beyond the left inset) is under this many letters of the
# next line is full: the typesetter had no room for the next letter (kerning and uneven
# insets make one letter too strict).
FULL_LINE_LETTERS = 1.0
SPACE_ONLY_PRODUCERS = ("ReportLab",)  # PDF producers that never break inside a word

SCANNED_REASON = "no text layer — scanned decree; OCR needed"
_MEASURE_NO = re.compile(r"^\s*(\d+)\s*\.\s*(\d+)")
_TASK_NO = re.compile(r"^\s*\d[\d\s.]*$")
_FOLIO = re.compile(r"^\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*$")
_DASHES = (" - ", " – ", " — ")


@dataclass(frozen=True)
class PdfSettings:
    """How to find and read the plan table; defaults are the named constants above."""

    snap_tolerance: float = SNAP_TOLERANCE
    intersection_tolerance: float = INTERSECTION_TOLERANCE
    column_tolerance: float = COLUMN_TOLERANCE
    min_spanning_columns: int = MIN_SPANNING_COLUMNS
    line_tolerance: float = LINE_TOLERANCE
    indent_tolerance: float = INDENT_TOLERANCE
    max_pages: int = MAX_PAGES

    def __post_init__(self) -> None:
        for name in (
            "snap_tolerance",
            "intersection_tolerance",
            "column_tolerance",
            "line_tolerance",
            "indent_tolerance",
        ):
            if not 0 <= getattr(self, name) <= 50:
                raise ValueError(f"{name} must be between 0 and 50 pt, not {getattr(self, name)}")
        if not 2 <= self.min_spanning_columns <= len(PLAN_COLUMNS):
            raise ValueError(f"min_spanning_columns must be 2..9, not {self.min_spanning_columns}")
        if self.max_pages < 1:
            raise ValueError(f"max_pages must be positive, not {self.max_pages}")

    @classmethod
    def resolve(cls, settings: PdfSettings | Mapping[str, Any] | None) -> PdfSettings:
        return resolve_settings(cls, settings)

    def table_settings(self, explicit_horizontals: list[float] | None = None) -> dict[str, Any]:
        return {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
            "explicit_horizontal_lines": explicit_horizontals or [],
        }


# --------------------------------------------------------------------------- page content


@dataclass(frozen=True)
class Cell:
    """A drawn table cell whose top edge lies on this row; `text` cleaned, its printed lines
    joined by the line-end hyphen rule (`lines` kept for the document-wide rejoin)."""

    x0: float
    x1: float
    text: str
    lines: tuple[str, ...] = ()
    full: tuple[bool, ...] = ()  # line i fills the cell: no room for line i+1's first letter


@dataclass(frozen=True)
class TableRow:
    page: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TextLine:
    """A line of running text outside the table; `bold` is its leading bold words."""

    page: int
    x0: float
    top: float
    text: str
    bold: str = ""


@dataclass(frozen=True)
class PageContent:
    page: int
    rows: tuple[TableRow, ...] = ()  # table rows on this page, top to bottom
    above: tuple[TextLine, ...] = ()  # text above the first table (all text if none)
    below: tuple[TextLine, ...] = ()  # text below the last table
    chars: int = 0
    images: int = 0


def page_to_content(page: Any, settings: PdfSettings) -> PageContent:
    """Everything the plan needs from one pdfplumber page: table rows and the text around."""
    number = page.page_number
    chars = page.chars
    if not chars:
        return PageContent(number, images=len(page.images))
    found = page.find_tables(settings.table_settings(rule_ends(page)))
    tables = sorted(found, key=lambda t: t.bbox[1])
    rows = tuple(row for table in tables for row in table_to_rows(table, number, chars))
    top = tables[0].bbox[1] if tables else float("inf")
    bottom = tables[-1].bbox[3] if tables else float("inf")
    # One comparison per character: this runs over every character of every page.
    above = chars_to_lines([c for c in chars if c["bottom"] <= top], number, settings)
    below = chars_to_lines([c for c in chars if c["top"] >= bottom], number, settings)
    return PageContent(number, rows, tuple(above), tuple(below), len(chars), len(page.images))


def rule_ends(page: Any) -> list[float]:
    """Where the vertical rules start and end. Some exporters draw no horizontal rule where a
    page break cuts a row; pdfplumber then sees no cell there and the text would be lost. A
    line at the verticals' ends closes those cells (it merges with a rule already drawn)."""
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["height"] >= MIN_RULE]
    if not verticals:
        return []
    return [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]


def table_to_rows(
    table: Any, page: int, chars: list[dict[str, Any]] | None = None
) -> list[TableRow]:
    """pdfplumber's rows with their cells' x-extents and text; None cells (covered by a cell
    merged from above or from the left) are left out.

    The characters are dealt to the cells in one pass (`chars_by_cell`) — what
    `Table.extract()` does by scanning every character of the page once per row — and each
    cell's text is built as `extract()` builds it, keeping its lines' geometry."""
    chars = table.page.chars if chars is None else chars
    boxes = [bbox for row in table.rows for bbox in row.cells if bbox is not None]
    dealt = chars_by_cell(chars, boxes)
    return [
        TableRow(page, tuple(_cell(bbox, dealt[bbox]) for bbox in row.cells if bbox is not None))
        for row in table.rows
    ]


def chars_by_cell(
    chars: list[dict[str, Any]], boxes: list[tuple[float, float, float, float]]
) -> dict[tuple[float, float, float, float], list[dict[str, Any]]]:
    """Each cell's characters (centre inside its box, as pdfplumber decides), page order."""
    dealt: dict[tuple[float, float, float, float], list[dict[str, Any]]] = {b: [] for b in boxes}
    if not boxes or not chars:
        return dealt
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    top = min(b[1] for b in boxes)
    bottom = max(b[3] for b in boxes)
    # cells by the horizontal band they cover; a char looks only at its band's cells
    bands = sorted({b[1] for b in boxes})
    by_band: dict[float, list[tuple[float, float, float, float]]] = {}
    for b in boxes:
        by_band.setdefault(b[1], []).append(b)
    for char in chars:
        h = (char["x0"] + char["x1"]) / 2
        v = (char["top"] + char["bottom"]) / 2
        if not (left <= h < right and top <= v < bottom):
            continue
        i = bisect.bisect_right(bands, v)
        for band in reversed(bands[:i]):  # merged cells reach down from earlier bands
            hit = next((b for b in by_band[band] if b[0] <= h < b[2] and v < b[3]), None)
            if hit is not None:
                dealt[hit].append(char)
                break
    return dealt


def _cell(bbox: tuple[float, float, float, float], chars: list[dict[str, Any]]) -> Cell:
    """A cell's text as `Table.extract()` gives it, its lines joined by the hyphen rule, and
    which lines fill the cell (their right gap no wider than the left inset plus a letter)."""
    x0, x1 = bbox[0], bbox[2]
    if not chars:
        return Cell(x0, x1, "")
    extractor = WordExtractor()
    words = extractor.extract_words(chars)
    lines = cluster_objects(words, get_line_cluster_key(extractor.line_dir), DEFAULT_X_TOLERANCE)
    texts = tuple(" ".join(w["text"] for w in line) for line in lines)
    if len(texts) < 2:
        return Cell(x0, x1, clean_cell("".join(texts)))
    inset = min(line[0]["x0"] for line in lines) - x0
    full = tuple(
        x1 - line[-1]["x1"] < inset + FULL_LINE_LETTERS * _letter_width(after[0])
        for line, after in zip(lines, lines[1:], strict=False)
    )
    return Cell(x0, x1, clean_cell(join_lines(texts, full=full)), texts, (*full, False))


def _letter_width(word: dict[str, Any]) -> float:
    return (word["x1"] - word["x0"]) / max(len(word["text"]), 1)


def breaks_inside_words(producer: str) -> bool:
    """Does the program that made the PDF break lines after a hyphen inside a word (and
    inside a word too long for its column)? Word, LibreOffice and browsers do (Unicode line
    breaking); ReportLab wraps at spaces only, so its line-end `2-` had a space after it."""
    return not any(p.casefold() in producer.casefold() for p in SPACE_ONLY_PRODUCERS)


def rejoin_cells(pages: list[PageContent], inside_words: bool = True) -> list[PageContent]:
    """Each cell's lines joined for good: the hyphen rule, and LibreOffice's no-hyphen
    breaks of words too long for their column undone on the evidence of the whole document
    (`extractors.hyphens`); a producer that wraps at spaces only gets plain spaces."""
    vocab = Vocabulary()
    for cell in (cell for p in pages for r in p.rows for cell in r.cells):
        vocab.add(cell.lines or (cell.text,), cell.full or None)

    def fix(cell: Cell) -> Cell:
        if not cell.lines:
            return cell
        if not inside_words:
            return replace(cell, text=clean_cell(" ".join(cell.lines)))
        return replace(cell, text=clean_cell(join_lines(cell.lines, vocab, cell.full or None)))

    return [
        replace(p, rows=tuple(replace(r, cells=tuple(map(fix, r.cells))) for r in p.rows))
        for p in pages
    ]


def chars_to_lines(chars: list[dict[str, Any]], page: int, settings: PdfSettings) -> list[TextLine]:
    """Group characters into text lines, remembering each line's leading bold words."""
    words = sorted(
        extract_words(chars, extra_attrs=["fontname"]), key=lambda w: (w["top"], w["x0"])
    )
    groups: list[list[dict[str, Any]]] = []
    for word in words:
        if groups and abs(word["top"] - groups[-1][0]["top"]) <= settings.line_tolerance:
            groups[-1].append(word)
        else:
            groups.append([word])
    lines = []
    for group in groups:
        group.sort(key=lambda w: w["x0"])
        bold = []
        for word in group:
            if "bold" not in word["fontname"].casefold():
                break
            bold.append(word["text"])
        text = " ".join(w["text"] for w in group)
        lines.append(TextLine(page, group[0]["x0"], group[0]["top"], text, " ".join(bold)))
    return lines


# --------------------------------------------------------------------------- columns and rows

Grid = dict[str, tuple[float, float]]  # canonical column -> (x0, x1) of its header cell


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
    tol = settings.column_tolerance
    placed: list[tuple[str | None, int, str]] = []
    for cell in row.cells:
        covered = [c for c, (x0, x1) in grid.items() if x0 >= cell.x0 - tol and x1 <= cell.x1 + tol]
        column = covered[0] if covered else _most_overlapped(cell, grid)
        placed.append((column, len(covered), cell.text))
    with_text = [p for p in placed if p[2]]
    if len(with_text) == 1 and with_text[0][1] >= settings.min_spanning_columns:
        cells[PLAN_COLUMNS[0]] = with_text[0][2]
        return cells, True
    for column, _, text in with_text:
        if column is not None:
            cells[column] = join_fragments(cells[column], text)
    return cells, False


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
    join: Callable[[str, str], str] = join_fragments,
) -> Stitched:
    """Stitch physical table rows of all pages into logical rows.

    Header rows (first or repeated) reset the column grid; number rows and empty rows drop;
    a row at the top of a page joins the previous page's last row if `starts_new_row` says
    it does not start one of its own; `join` joins the two pieces of each cut cell
    (`hyphens.join_two` for a producer that breaks inside words).
    """
    grid: Grid | None = None
    done = Stitched([], None, [])
    page_of_last = 0
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
            _extend(logical[-1], cells, where, join)
        else:
            logical.append(_new_row(cells, spanning, where))
    return done


def unplaced_texts(row: TableRow, grid: Grid) -> list[str]:
    """Text of cells lying under no header column (outside the header's width)."""
    return [cell.text for cell in row.cells if cell.text and _most_overlapped(cell, grid) is None]


def _new_row(cells: dict[str, str], spanning: bool, where: Provenance) -> RawRow:
    return RawRow(cells, {c: where for c, text in cells.items() if text}, spanning)


def _extend(
    row: RawRow, cells: Mapping[str, str], where: Provenance, join: Callable[[str, str], str]
) -> None:
    for column, text in cells.items():
        if text:  # a page break cut the cell: `үй-` / `бүлөлүк` joins like a wrapped line
            row.cells[column] = join(row.cells.get(column, ""), text)
            row.provenance[column] = (
                row.provenance[column].merge(where) if column in row.provenance else where
            )


# --------------------------------------------------------------------------- text around the table


def title_lines(lines: tuple[TextLine, ...]) -> str:
    """The plan's title: the last run of bold lines above the table (a plain note such as
    "(as amended by …)" may sit between it and the table); else the last paragraph."""
    if not lines:
        return ""
    run: list[str] = []
    for line in reversed(lines):
        if line.text and line.bold == line.text:
            run.insert(0, line.text)
        elif run:
            break
    if run:
        return join_fragments(*run)
    return join_fragments(*(line.text for line in _last_paragraph(lines)))


def _last_paragraph(lines: tuple[TextLine, ...]) -> list[TextLine]:
    paragraph = [lines[-1]]
    for line in reversed(lines[:-1]):
        gap = paragraph[0].top - line.top
        if gap > 2.0 * (lines[-1].top - lines[-2].top if len(lines) > 1 else gap):
            break
        paragraph.insert(0, line)
    return paragraph


def abbreviation_lines(
    lines: list[TextLine], source: str, settings: PdfSettings
) -> list[tuple[str, Provenance]]:
    """The abbreviation list after the table, one `abbr<TAB>- full name` line per entry.

    An entry starts with a bold abbreviation (or, in a list without bold, at the list's left
    edge under a hanging indent); its wrapped lines are joined back to one.
    """
    titles = header_vocab()["abbreviations_title"]
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if any(line.text.casefold().startswith(t) for t in titles)
        ),
        None,
    )
    if start is None:
        return []
    body = [line for line in lines[start + 1 :] if not _FOLIO.match(line.text)]
    if not body:
        return []
    any_bold = any(line.bold for line in body)
    left = min(line.x0 for line in body)
    entries: list[tuple[list[TextLine], str]] = []
    for line in body:
        starts = bool(line.bold) if any_bold else line.x0 <= left + settings.indent_tolerance
        if starts or not entries:
            entries.append(([line], line.bold))
        else:
            entries[-1][0].append(line)
    result = []
    for entry_lines, bold in entries:
        text = join_fragments(*(line.text for line in entry_lines))
        abbr, rest = _split_entry(text, bold)
        pages = tuple(sorted({line.page for line in entry_lines}))
        result.append((f"{abbr}\t{rest}", Provenance(source, pages=pages)))
    return result


def _split_entry(text: str, bold: str) -> tuple[str, str]:
    if bold and text.startswith(bold):
        return bold, text[len(bold) :].strip()
    for dash in _DASHES:
        if dash in text:
            abbr, rest = text.split(dash, 1)
            return abbr.strip(), f"{dash.strip()} {rest.strip()}"
    return text, ""


# --------------------------------------------------------------------------- the whole file


def contents_to_decree(
    pages: list[PageContent],
    path: Path,
    sha256: str,
    settings: PdfSettings,
    inside_words: bool = True,
) -> DecreeText:
    """Pure: page contents → DecreeText, or UnreadableDecree with the reason.
    `inside_words`: see `breaks_inside_words`."""
    if not any(p.chars for p in pages):
        reason = SCANNED_REASON if any(p.images for p in pages) else "PDF has no text"
        raise UnreadableDecree(path, reason)
    source = path.name
    pages = rejoin_cells(pages, inside_words)
    join = join_two if inside_words else join_fragments
    table = rows_to_logical_rows((r for p in pages for r in p.rows), source, settings, join)
    if table.header_page is None:
        raise UnreadableDecree(
            path, "no plan table: no table row carries the plan's column headers"
        )
    if not table.rows:
        raise UnreadableDecree(path, "the plan table has a header but no rows")
    last_table_page = max(p.page for p in pages if p.rows)
    title_page = next(p for p in pages if p.page == table.header_page)
    after = [
        line
        for p in pages
        if p.page >= last_table_page
        for line in (p.below if p.page == last_table_page else p.above)
    ]
    return DecreeText(
        source=source,
        sha256=sha256,
        title=title_lines(title_page.above),
        rows=table.rows,
        abbreviation_lines=abbreviation_lines(after, source, settings),
        unassigned=table.unassigned
        + stray_lines(pages, table.header_page, last_table_page, source),
    )


def stray_lines(
    pages: list[PageContent], first: int, last: int, source: str
) -> list[tuple[str, Provenance]]:
    """Text under the table on a page the table continues past — not a page number — is
    table text pdfplumber did not find in any cell (a row left open at the page foot)."""
    return [
        (line.text, Provenance(source, pages=(line.page,)))
        for p in pages
        if first <= p.page < last and p.rows
        for line in p.below
        if not _FOLIO.match(line.text)
    ]


def read_decree_pdf(path: Path, settings: PdfSettings | None = None) -> DecreeText:
    """Read the plan table of a decree PDF into logical rows (see module docstring)."""
    settings = PdfSettings.resolve(settings)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UnreadableDecree(path, f"cannot read file ({err.strerror or err})") from err
    with open_pdf(path, UnreadableDecree) as pdf:
        pages = _read_pages(path, pdf, settings)
        inside_words = breaks_inside_words(str((pdf.metadata or {}).get("Producer", "")))
    sha256 = hashlib.sha256(data).hexdigest()
    return contents_to_decree(pages, path, sha256, settings, inside_words)


def _read_pages(path: Path, pdf: Any, settings: PdfSettings) -> list[PageContent]:
    if len(pdf.pages) > settings.max_pages:
        raise UnreadableDecree(
            path, f"too many pages ({len(pdf.pages)}, limit {settings.max_pages})"
        )
    pages = []
    for page in pdf.pages:
        try:
            pages.append(page_to_content(page, settings))
        except Exception as err:  # a broken page stream: the file is corrupt
            raise UnreadableDecree(
                path, f"corrupt PDF: page {page.page_number} unreadable ({type(err).__name__})"
            ) from err
        finally:
            page.close()
    return pages
