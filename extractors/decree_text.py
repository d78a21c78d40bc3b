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
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from core.errors import UnreadableDecree
from core.model import Provenance
from core.text import clean_cell, join_fragments
from extractors.decree_columns import header_vocab, is_number_row, map_header, section_patterns
from extractors.decree_rows import ID_COLUMN, DecreeText, RawRow

MAX_ANCHOR_SHIFT = 2  # a measure number sits at most this many cells left of its column
LEAD_DELETE_COST = 1.0  # a line lost one of its leading empty cells (the common case)
DELETE_COST = 4.0  # a line lost a cell after its first text: its cells drift left
INSERT_COST = 2.0  # a line has an extra empty cell that belongs to no column
EMPTY_CELL_PENALTY = 4.0  # cost of continuing a column the previous row left empty
OPEN_END_BONUS = 5.0  # the previous cell ends mid-sentence (",", "-", "(") and asks for more
OPEN_END = tuple(",;:-–(")
ENDING_WEIGHT = 1.0  # the cell above ends the way this column's cells usually end
ENDING_CAP = 3.0  # ... evidence capped: a complete-looking cell may still go on
START_CONTENT_WEIGHT = 0.5  # naive word evidence is overconfident on a whole cell
TASK_NO_BONUS = 12.0  # a bare number on a continuation line is the task number
HEAD_WEIGHT = 3  # the first and last words count this many times over the others
FORBIDDEN = -1e9

_INLINE_TAG = re.compile(r"</?(?:a|b|i|u|span|strong|em|font|sup|sub)\b[^>]*>", re.I)
_BLOCK_SPLIT = re.compile(r"</p>\s*<p[^>]*>", re.I)
_SEPARATOR = re.compile(r"^[\s\-:|=]*$")
_MD_HEADING = re.compile(r"^\s*#+\s*")
_MEASURE_NO = re.compile(r"^\s*(\d{1,3})\s*\.\s*(\d{1,3})(?!\d)(?:\.|\s|$|(?=[^\W\d_]))")
_TASK_NO = re.compile(r"^\s*\d(?:\s*\d){0,2}\s*\.?\s*$")
_NUMBER_CELL = re.compile(r"^\s*\d{1,3}(?:\s*\.\s*\d{1,3}){0,3}\s*\.?\s*$")  # `1.1.`, `1.`
_TOKEN = re.compile(r"[^\W_]+")
_BOLD_BLOCK = re.compile(r"\*\*(.+?)\*\*", re.S)


@dataclass(frozen=True)
class TextReaderSettings:
    lead_delete_cost: float = LEAD_DELETE_COST
    delete_cost: float = DELETE_COST
    insert_cost: float = INSERT_COST
    empty_cell_penalty: float = EMPTY_CELL_PENALTY
    open_end_bonus: float = OPEN_END_BONUS
    ending_weight: float = ENDING_WEIGHT
    start_content_weight: float = START_CONTENT_WEIGHT
    task_no_bonus: float = TASK_NO_BONUS

    def __post_init__(self) -> None:
        if min(vars(self).values()) < 0:
            raise ValueError(f"text reader settings must be non-negative: {self}")


@dataclass(frozen=True)
class Fragment:
    line: int  # 1-based line number in the source
    index: int  # cell index on its line
    text: str  # cleaned text of the whole cell
    blocks: tuple[str, ...] = ()  # cleaned <p> blocks when the cell had more than one


@dataclass(frozen=True)
class Line:
    no: int
    n_cells: int
    fragments: tuple[Fragment, ...]


# --------------------------------------------------------------------------- lines


def clean_fragment(raw: str) -> str:
    """Markup stripped; inline tags (<a>, <b>) vanish without adding a space ("кодексине</a>,")."""
    return clean_cell(_INLINE_TAG.sub("", raw))


def line_to_fragments(no: int, raw: str) -> Line | None:
    """One physical line → its non-empty fragments; None for blank and `---|---` lines."""
    cells = raw.rstrip("\r\n").split("\t")
    if all(_SEPARATOR.match(c) for c in cells):
        return None
    if len(cells) == 1:
        cells = [_MD_HEADING.sub("", cells[0])]
    fragments = []
    for i, cell in enumerate(cells):
        text = clean_fragment(cell) if cell.strip() else ""
        if not text:
            continue
        blocks: tuple[str, ...] = ()
        if _BLOCK_SPLIT.search(cell):
            blocks = tuple(b for p in _BLOCK_SPLIT.split(cell) if (b := clean_fragment(p)))
        fragments.append(Fragment(no, i, text, blocks if len(blocks) > 1 else ()))
    return Line(no, len(cells), tuple(fragments)) if fragments else None


def find_header(lines: list[str]) -> tuple[int, dict[int, str]] | None:
    """Index of the plan table's header line and its {cell index: column} map."""
    for i, raw in enumerate(lines):
        if "\t" not in raw:
            continue
        mapping = map_header([clean_fragment(c) for c in raw.split("\t")])
        if mapping:
            return i, mapping
    return None


def find_table_end(lines: list[str], start: int) -> int:
    """Index of the abbreviation-list title after the table (or len(lines))."""
    titles = [t.casefold() for t in header_vocab()["abbreviations_title"]]
    for i in range(start, len(lines)):
        if "\t" in lines[i] and lines[i].count("\t") > 2:  # a table row, not a title
            continue
        text = clean_fragment(lines[i]).casefold().rstrip(":").strip()
        if text and any(text.startswith(t) for t in titles):
            return i
    return len(lines)


def find_title(lines: list[str], header: int) -> str:
    """The plan's title: the last bold block above the header (the converter keeps it bold)."""
    above = "\n".join(lines[:header])
    blocks = [clean_cell(b) for b in _BOLD_BLOCK.findall(above)]
    titled = [b for b in blocks if re.search(r"\d{4}", b)]
    if titled:
        return titled[-1]
    return next((clean_fragment(x) for x in reversed(lines[:header]) if clean_fragment(x)), "")


# --------------------------------------------------------------------------- column word model


@lru_cache(maxsize=8192)
def tokens(text: str, heads: bool = True) -> tuple[str, ...]:
    """Words (digits folded to 0) plus first/last-word markers: a cell's head word — last in
    Kyrgyz ("... саны"), first in Russian ("Количество ...") — says most about its column."""
    words = _TOKEN.findall(re.sub(r"\d", "0", text.casefold()))
    if not words or not heads:
        return tuple(words)
    return (*words, *["^" + words[0], "$" + words[-1]] * HEAD_WEIGHT)


@dataclass
class ColumnModel:
    """Per-column word model with Witten-Bell smoothing against the document's background.

    A column with a small, repetitive vocabulary (deadlines, funding) gives an unseen word
    little probability; a wordy column (measures, results) gives it more — which is exactly
    what tells "жыйынында каралды" apart from a deadline.
    """

    counts: dict[int, Counter[str]] = field(default_factory=dict)
    background: Counter[str] = field(default_factory=Counter)
    totals: dict[int, int] = field(default_factory=dict)  # words per column
    total: int = 0  # words in all columns
    rows: int = 0  # start rows seen
    filled: Counter[int] = field(default_factory=Counter)  # start rows with text per column

    def typical_ending(self, position: int, text: str) -> float:
        """0 for a last word never seen ending this column's cells, growing (log, capped)
        with how many of them it ends: such a cell is likely complete."""
        words = tokens(text, heads=False)
        if not words:
            return 0.0
        ended = self.counts.get(position, Counter())["$" + words[-1]] / HEAD_WEIGHT
        return min(ENDING_CAP, math.log1p(2 * ended))

    def fill_prior(self, position: int, filled: bool) -> float:
        """log P(column has text / is empty) on a measure's first line, e.g. baselines are
        often empty, deadlines almost never."""
        hits = self.filled[position] if filled else self.rows - self.filled[position]
        return math.log((hits + 1) / (self.rows + 2))

    def add(self, position: int, text: str) -> None:
        words = tokens(text)
        self.counts.setdefault(position, Counter()).update(words)
        self.background.update(words)
        self.totals[position] = self.totals.get(position, 0) + len(words)
        self.total += len(words)

    def score(self, position: int, text: str, own: int | None = None, heads: bool = True) -> float:
        """Log-likelihood ratio of the fragment's words under the column vs the background.

        `own`: the position this very fragment was learnt at — left out, so a misplaced
        cell of a start line cannot vote for its own wrong column. `heads`: score the
        first/last-word markers (only meaningful for a whole cell, not a page-break piece).
        """
        words = tokens(text, heads)
        column = self.counts.get(position, Counter())
        mine = Counter(words) if own is not None else Counter()
        total = self.total - sum(mine.values())
        vocab = len(self.background) + 1
        n, types = self.totals.get(position, 0), len(column)
        in_column = mine if own == position else Counter()
        n -= sum(in_column.values())
        types -= sum(1 for w, k in in_column.items() if column[w] == k)
        if n <= 0:
            return 0.0
        result = 0.0
        for word in words:
            p_bg = (self.background[word] - mine[word] + 1) / (total + vocab)
            seen = (column[word] - in_column[word]) / (n + types)
            result += math.log((seen + types / (n + types) * p_bg) / p_bg)
        return result


# --------------------------------------------------------------------------- rows


@dataclass
class Layout:
    """The header's positions, resolved once. `anchor` is the column whose number starts a
    measure's row: the measures column (`1.1. Текст`, the seed) or a number column holding
    the measure's id or ordinal (`1.1.` / `1.` under `№ п/п`), see `choose_anchor`."""

    columns: dict[int, str]  # header position -> canonical column
    width: int  # number of header cells
    anchor: str = "text"

    def pos(self, column: str) -> int | None:
        return next((p for p, c in self.columns.items() if c == column), None)

    @property
    def anchor_pos(self) -> int:
        pos = self.pos(self.anchor)
        assert pos is not None, "the anchor column is one of the header's"
        return pos


def measure_anchor(line: Line, layout: Layout) -> Fragment | None:
    """The fragment carrying a measure number, if it can sit in the anchor column."""
    if layout.anchor != "text":
        at = next((f for f in line.fragments if f.index == layout.anchor_pos), None)
        return at if at is not None and _NUMBER_CELL.match(at.text) else None
    text_pos = layout.pos("text")
    if text_pos is None:
        return None
    for f in line.fragments:
        shift = text_pos - f.index
        if 0 <= shift <= MAX_ANCHOR_SHIFT and _MEASURE_NO.match(f.text):
            return f
    return None


def choose_anchor(lines: list[Line], layout: Layout) -> Layout:
    """Anchor rows on a number column when its numbers are the measures' own: more lines
    print a bare number there (`1.1.`, `1.`) with unnumbered measure text than lines whose
    measure text leads with its number (the seed: task number `1`, text `1.1. …`)."""
    for column in (ID_COLUMN, "task_no"):
        pos = layout.pos(column)
        if pos is None:
            continue
        own = leading = 0
        for line in lines:
            at = next((f for f in line.fragments if f.index == pos), None)
            numbered_text = any(_MEASURE_NO.match(f.text) for f in line.fragments if f is not at)
            leading += numbered_text
            own += at is not None and bool(_NUMBER_CELL.match(at.text)) and not numbered_text
        if own > leading:
            return Layout(layout.columns, layout.width, column)
    return layout


def section_of(line: Line) -> str | None:
    """'chapter' / 'goal' for a full-width section row (one fragment matching a pattern)."""
    if len(line.fragments) != 1 or line.fragments[0].index != 0:
        return None
    text = line.fragments[0].text
    for kind, patterns in section_patterns().items():
        if any(p.match(text) for p in patterns):
            return kind
    return None


def is_unfinished(text: str) -> bool:
    """A cell that visibly stops mid-sentence: a trailing comma/hyphen, an open bracket/quote."""
    return bool(text) and (
        text.endswith(OPEN_END) or text.count("(") > text.count(")") or text.count('"') % 2 == 1
    )


@dataclass(frozen=True)
class CellScorer:
    """How well a line's cell fits a column: words, emptiness, and what it would continue.

    `open_cells` (continuation lines) is the text each column would continue: the current
    row's cells, and for the task text the current task's text (it spans several rows).
    `anchor` (start lines) is the measure-number fragment, pinned to the measures column.
    """

    layout: Layout
    model: ColumnModel
    settings: TextReaderSettings
    open_cells: dict[str, str] | None = None
    anchor: Fragment | None = None

    def fragment(self, f: Fragment, p: int) -> float:
        anchor, settings = self.anchor, self.settings
        if anchor is not None and (f is anchor) != (p == self.layout.anchor_pos):
            return FORBIDDEN
        if p < f.index:  # converters lose cells, so text only ever drifts left
            return FORBIDDEN
        column = self.layout.columns.get(p)
        if f is anchor:
            return 0.0
        if column is None:
            return FORBIDDEN
        if column == "task_no":
            taken = self.open_cells is not None and self.open_cells.get("task_no")
            return FORBIDDEN if taken or not _TASK_NO.match(f.text) else settings.task_no_bonus
        text = f.blocks[-1] if f.blocks else f.text
        if anchor is None:
            return self.model.score(p, text, heads=False) + self._continuation(column, p)
        # a start line's cells taught the model at the anchor's shift: leave them out
        own = f.index + self.layout.anchor_pos - anchor.index
        fit = self.model.score(p, text, own, heads=True)
        return settings.start_content_weight * fit + self.model.fill_prior(p, True)

    def empty(self, p: int) -> float:
        """An empty cell, or a column missing from the line, at position p."""
        return self.model.fill_prior(p, False) if self.anchor is not None else 0.0

    def _continuation(self, column: str, p: int) -> float:
        """Is the cell above waiting for more? Empty: hardly; a trailing comma or an open
        bracket: surely; a last word that often ends this column's cells: probably not."""
        before = (self.open_cells or {}).get(column, "")
        if not before:
            return 0.0 if column == "task_text" else -self.settings.empty_cell_penalty
        if is_unfinished(before):
            return self.settings.open_end_bonus
        return -self.settings.ending_weight * self.model.typical_ending(p, before)


def align_fragments(line: Line, scorer: CellScorer) -> list[int] | None:
    """Header positions for a line's fragments, in order, or None if they cannot be placed."""
    found = best_alignment(line, scorer)
    return found[1] if found else None


def best_alignment(line: Line, scorer: CellScorer) -> tuple[float, list[int]] | None:
    """(score, header position of each fragment) of the line's best alignment, or None.

    An edit-distance alignment of the line's cells (empty ones included) onto the header's
    positions: a cell matches a column (scored by `scorer`), a column may be missing from
    the line (the converter lost an empty cell: the cells after it drift left) and an empty
    cell may belong to no column (the converter added one).
    """
    settings, width = scorer.settings, scorer.layout.width
    by_index = {f.index: f for f in line.fragments}
    n = max(line.n_cells, max(by_index) + 1)
    first_text = min(by_index)
    # best[i][j]: cells[:i] aligned onto positions[:j]; step records the move that got there
    best = [[FORBIDDEN] * (width + 1) for _ in range(n + 1)]
    step: list[list[str]] = [[""] * (width + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(width + 1):
            here = best[i][j]
            if here <= FORBIDDEN / 2:
                continue
            cell = by_index.get(i) if i < n else None
            if j < width:  # position j has no cell on this line
                cost = settings.lead_delete_cost if i <= first_text else settings.delete_cost
                _relax(best, step, i, j + 1, here - cost + scorer.empty(j), "delete")
            if i < n and cell is None:  # an empty cell that is no column's
                _relax(best, step, i + 1, j, here - settings.insert_cost, "insert")
            if i < n and j < width:
                gain = scorer.empty(j) if cell is None else scorer.fragment(cell, j)
                if gain > FORBIDDEN / 2:
                    _relax(best, step, i + 1, j + 1, here + gain, "match")
    if best[n][width] <= FORBIDDEN / 2:
        return None
    placed = _traceback(step, n, width)
    return best[n][width], [placed[f.index] for f in line.fragments]


def _traceback(step: list[list[str]], i: int, j: int) -> dict[int, int]:
    """{cell index: position} along the best alignment's moves."""
    placed: dict[int, int] = {}
    while i or j:
        move = step[i][j]
        if move == "match":
            i, j = i - 1, j - 1
            placed[i] = j
        elif move == "delete":
            j -= 1
        else:
            i -= 1
    return placed


def _relax(best: list[list[float]], step: list[list[str]], i: int, j: int, v: float, m: str):
    if v > best[i][j]:
        best[i][j], step[i][j] = v, m


def _put(row: RawRow, column: str, text: str, prov: Provenance) -> None:
    # Page-break pieces join with a space, even after a hyphen: the converter's text keeps
    # the printed spacing (the seed has `2018- 2020- жылдар` across such a break).
    row.cells[column] = join_fragments(row.cells.get(column, ""), text)
    old = row.provenance.get(column)
    row.provenance[column] = old.merge(prov) if old else prov


def start_line_to_row(
    line: Line,
    anchor: Fragment,
    layout: Layout,
    model: ColumnModel,
    settings: TextReaderSettings,
    previous: RawRow | None,
    source: str,
) -> tuple[RawRow, list[Fragment]]:
    """A start line → a new row; multi-block cells hand their leading blocks to `previous`.

    Returns the row and the fragments that found no column.
    """
    placed = align_fragments(line, CellScorer(layout, model, settings, anchor=anchor))
    row = RawRow()
    if placed is None:
        _put(row, "text", anchor.text, Provenance(source, lines=(anchor.line,)))
        return row, [f for f in line.fragments if f is not anchor]
    for f, p in zip(line.fragments, placed, strict=True):
        column = layout.columns[p]
        prov = Provenance(source, lines=(f.line,))
        if f.blocks and previous is not None and f is not anchor:
            for block in f.blocks[:-1]:
                _put(previous, column, block, prov)
            _put(row, column, f.blocks[-1], prov)
        else:
            _put(row, column, f.text, prov)
    return row, []


def lines_to_rows(
    lines: list[Line], layout: Layout, source: str, settings: TextReaderSettings
) -> tuple[list[RawRow], list[tuple[str, Provenance]]]:
    """Table lines → logical rows (section rows spanning) and the fragments left unassigned."""
    model = train_model(lines, layout)
    rows: list[RawRow] = []
    unassigned: list[tuple[str, Provenance]] = []
    current: RawRow | None = None
    for line in lines:
        kind = section_of(line)
        if kind:
            f = line.fragments[0]
            section = RawRow(spanning=True)  # full-width text: kept in the first column
            _put(section, "task_no", f.text, Provenance(source, lines=(f.line,)))
            rows.append(section)
            continue
        anchor = measure_anchor(line, layout)
        if anchor is not None:
            current, lost = start_line_to_row(
                line, anchor, layout, model, settings, current, source
            )
            rows.append(current)
        elif current is None or line.n_cells == 1:
            lost = list(line.fragments)
        else:
            scorer = CellScorer(layout, model, settings, open_cells(rows, current))
            placed = align_fragments(line, scorer)
            lost = [] if placed else list(line.fragments)
            for f, p in zip(line.fragments, placed or (), strict=False):
                _put(current, layout.columns[p], f.text, Provenance(source, lines=(f.line,)))
        unassigned += [(f.text, Provenance(source, lines=(f.line,))) for f in lost]
    return rows, unassigned


def open_cells(rows: list[RawRow], current: RawRow) -> dict[str, str]:
    """What a continuation line may continue: the current row's cells, its task's text."""
    cells = dict(current.cells)
    upto = max(i for i, row in enumerate(rows) if row is current)
    for row in reversed(rows[: upto + 1]):
        if row.spanning or row.cells.get("task_text"):
            cells["task_text"] = row.cells.get("task_text", "") if not row.spanning else ""
            break
        if row.cells.get("task_no"):
            break
    return cells


def train_model(lines: list[Line], layout: Layout) -> ColumnModel:
    """Learn each column's words from the start lines, whose shift the measure number fixes."""
    model = ColumnModel()
    text_pos = layout.anchor_pos
    for line in lines:
        anchor = None if section_of(line) else measure_anchor(line, layout)
        if anchor is None:
            continue
        shift = text_pos - anchor.index
        model.rows += 1
        for f in line.fragments:
            if f.index + shift in layout.columns:
                model.add(f.index + shift, f.blocks[-1] if f.blocks else f.text)
                model.filled[f.index + shift] += 1
    return model


# --------------------------------------------------------------------------- document


def text_to_decree(
    text: str, source: str, sha256: str = "", settings: TextReaderSettings | None = None
) -> DecreeText:
    """The whole converter text → DecreeText. Raises UnreadableDecree without a plan table."""
    settings = settings or TextReaderSettings()
    raw_lines = text.splitlines()
    found = find_header(raw_lines)
    if found is None:
        raise UnreadableDecree(source, "no plan table found (no header row naming its columns)")
    header, columns = found
    width = len(raw_lines[header].split("\t"))
    layout = Layout(columns, width)
    if layout.pos("text") is None:
        raise UnreadableDecree(source, "plan table header has no measures column")
    end = find_table_end(raw_lines, header + 1)
    table = [
        line
        for i in range(header + 1, end)
        if (line := line_to_fragments(i + 1, raw_lines[i])) is not None and not _header_again(line)
    ]
    layout = choose_anchor(table, layout)
    rows, unassigned = lines_to_rows(table, layout, source, settings)
    if not any(not r.spanning for r in rows):
        raise UnreadableDecree(source, "plan table has no numbered measures")
    abbreviations = [
        (cleaned, Provenance(source, lines=(i + 1,)))
        for i in range(end + 1, len(raw_lines))
        if (cleaned := clean_fragment(raw_lines[i].replace("\t", " ")))
    ]
    return DecreeText(
        source=source,
        sha256=sha256,
        title=find_title(raw_lines, header),
        rows=rows,
        abbreviation_lines=abbreviations,
        unassigned=unassigned,
    )


def _header_again(line: Line) -> bool:
    """A header repeated on a later page, or the row of column numbers under a header."""
    texts = [f.text for f in line.fragments]
    return len(texts) > 1 and (is_number_row(texts) or map_header(texts) is not None)


def read_decree_text(path: Path, settings: TextReaderSettings | None = None) -> DecreeText:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableDecree(path, f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        return text_to_decree(text, Path(path).name, sha256, settings)
    except UnreadableDecree as err:  # name the file as the caller gave it
        raise UnreadableDecree(path, err.reason) from None
