"""The intermediate form every decree reader produces: logical rows of the plan table.

A reader (converter text, PDF, OCR) finds the header, maps columns by header words and
stitches page-break fragments back into *logical* rows. `extractors.plan_assembly` then
turns rows into chapters, goals, tasks and measures, and `extractors.decree_qa` checks them.
Keeping this contract small is what lets a new decree format touch one module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.model import PLAN_COLUMNS, Finding, Provenance

# An optional cell key besides PLAN_COLUMNS: a column holding only the measure's id (`№ п/п`
# with `1.1.` in it). Readers that do not know it never set it. The number column
# (`task_no`) may hold a task number, a measure id or a measure's ordinal within its task:
# the assembler tells them apart by their shape, so readers copy it as printed.
ID_COLUMN = "measure_no"


@dataclass
class RawRow:
    """One logical row of the plan table, cells keyed by canonical column (PLAN_COLUMNS,
    optionally ID_COLUMN).

    `spanning` marks a row whose text spans the whole table width (chapter, goal or task
    heading rows); its text sits in the first column.
    `cells` holds cleaned text (markup stripped, fragments joined with one space);
    `provenance` holds where each non-empty cell came from.
    """

    cells: dict[str, str] = field(default_factory=lambda: dict.fromkeys(PLAN_COLUMNS, ""))
    provenance: dict[str, Provenance] = field(default_factory=dict)
    spanning: bool = False

    def text(self) -> str:
        return " ".join(v for v in self.cells.values() if v)


@dataclass
class DecreeText:
    """Everything a reader hands to the assembler besides the rows."""

    source: str
    sha256: str
    title: str  # the plan's title as printed above the table
    rows: list[RawRow]
    abbreviation_lines: list[tuple[str, Provenance]]  # raw lines after the list title
    # The reader's own QA findings (e.g. cells OCR read with low confidence); read_decree
    # adds them to the plan's findings.
    findings: list[Finding] = field(default_factory=list)
    # Table text the reader could not place in any row/column; QA reports each one.
    unassigned: list[tuple[str, Provenance]] = field(default_factory=list)
