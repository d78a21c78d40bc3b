"""A line's cells aligned onto the header's columns: an edit-distance alignment scored by
the column word model and what the row above leaves open."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.decree_text.column_model import ColumnModel
from extractors.decree_text.model import (
    FORBIDDEN,
    OPEN_END,
    TASK_NO,
    Fragment,
    Layout,
    Line,
    TextReaderSettings,
)


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
            return FORBIDDEN if taken or not TASK_NO.match(f.text) else settings.task_no_bonus
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
