"""The text reader's settings (alignment costs and weights) and what it works on: fragments,
lines, the header layout."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
MEASURE_NO = re.compile(r"^\s*(\d{1,3})\s*\.\s*(\d{1,3})(?!\d)(?:\.|\s|$|(?=[^\W\d_]))")
TASK_NO = re.compile(r"^\s*\d(?:\s*\d){0,2}\s*\.?\s*$")
NUMBER_CELL = re.compile(r"^\s*\d{1,3}(?:\s*\.\s*\d{1,3}){0,3}\s*\.?\s*$")  # `1.1.`, `1.`


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
