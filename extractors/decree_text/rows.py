"""Lines to logical rows: the anchor column, start lines open a row, continuation lines
are aligned and joined to it."""

from __future__ import annotations

from core.model import Provenance
from core.text import join_fragments
from extractors.decree_columns import section_patterns
from extractors.decree_rows import ID_COLUMN, RawRow
from extractors.decree_text.alignment import (
    CellScorer,
    align_fragments,
)
from extractors.decree_text.column_model import ColumnModel
from extractors.decree_text.model import (
    MAX_ANCHOR_SHIFT,
    MEASURE_NO,
    NUMBER_CELL,
    Fragment,
    Layout,
    Line,
    TextReaderSettings,
)


def measure_anchor(line: Line, layout: Layout) -> Fragment | None:
    """The fragment carrying a measure number, if it can sit in the anchor column."""
    if layout.anchor != "text":
        at = next((f for f in line.fragments if f.index == layout.anchor_pos), None)
        return at if at is not None and NUMBER_CELL.match(at.text) else None
    text_pos = layout.pos("text")
    if text_pos is None:
        return None
    for f in line.fragments:
        shift = text_pos - f.index
        if 0 <= shift <= MAX_ANCHOR_SHIFT and MEASURE_NO.match(f.text):
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
            numbered_text = any(MEASURE_NO.match(f.text) for f in line.fragments if f is not at)
            leading += numbered_text
            own += at is not None and bool(NUMBER_CELL.match(at.text)) and not numbered_text
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
