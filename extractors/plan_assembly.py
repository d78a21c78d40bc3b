"""Logical rows (`DecreeText`) → the plan catalogue (`Plan`). Format-free: the text reader and
the PDF reader both hand their rows here.

Section rows set the current chapter and goal; a row with a task number opens a task, whose
text keeps growing while later rows of the same task bring more task-text fragments (the
task cell spans all its measures and page breaks cut it anywhere); every row is a measure.
Numbers are normalized (`1 2 .` → 12, `6.1.Текст` → id `6.1`, text `Текст`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.model import (
    PLAN_COLUMNS,
    Abbreviation,
    Chapter,
    Finding,
    Goal,
    Measure,
    Plan,
    Provenance,
    Severity,
    Task,
)
from core.text import collapse_ws, join_fragments
from extractors.decree_columns import section_patterns
from extractors.decree_rows import DecreeText, RawRow

PLAN_ID_PREFIX = "nap"  # national action plan: ids read `nap-2018-2020`
_MEASURE_NO = re.compile(r"^\s*(\d{1,3})\s*\.\s*(\d{1,3})(?!\d)\s*\.?\s*")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})")
_ABBR_LINE = re.compile(r"^(?P<abbr>.+?)\s+[-–—]\s+(?P<full>.+)$")
_DASH_LINE = re.compile(r"^[-–—]\s*(?P<full>.+)$")


@dataclass
class _TaskDraft:
    no: int | None
    goal_id: str | None
    chapter_no: int | None
    text: str = ""
    provenance: Provenance | None = None
    rows: list[RawRow] = field(default_factory=list)
    inferred: bool = False  # the number was not printed; it comes from the measures


def task_number(cell: str) -> int | None:
    """`3 4` → 34, `1 2 .` → 12: the converter spaces out the digits of a task number."""
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits else None


def split_measure_text(cell: str) -> tuple[str, str]:
    """`6.1.Текст` → ("6.1", "Текст"); a cell without a number → ("", cell)."""
    m = _MEASURE_NO.match(cell)
    if not m:
        return "", collapse_ws(cell)
    return f"{int(m[1])}.{int(m[2])}", collapse_ws(cell[m.end() :])


def plan_years(title: str) -> tuple[int, int] | None:
    m = _YEARS.search(title)
    return (int(m[1]), int(m[2])) if m else None


def plan_id_for(years: tuple[int, int] | None, sha256: str) -> str:
    """A stable slug: `nap-2018-2020`; without years, the file's hash keeps it stable."""
    if years:
        return f"{PLAN_ID_PREFIX}-{years[0]}-{years[1]}"
    return f"{PLAN_ID_PREFIX}-{sha256[:12] or 'unknown'}"


def section_to_model(row: RawRow, chapter_no: int | None) -> Chapter | Goal | None:
    text = row.text()
    prov = _row_provenance(row)
    patterns = section_patterns()
    for p in patterns["chapter"]:
        if m := p.match(text):
            return Chapter(int(m["no"]), collapse_ws(m["title"]), prov)
    for p in patterns["goal"]:
        if m := p.match(text):
            goal_id = m["id"]
            chapter = chapter_no if chapter_no is not None else int(goal_id.split(".")[0])
            return Goal(goal_id, chapter, collapse_ws(m["title"]), prov)
    return None


def rows_to_tasks(rows: list[RawRow]) -> tuple[list[Chapter], list[Goal], list[_TaskDraft]]:
    """Group measure rows under their tasks; collect chapters and goals on the way."""
    chapters: list[Chapter] = []
    goals: list[Goal] = []
    tasks: list[_TaskDraft] = []
    chapter_no: int | None = None
    goal_id: str | None = None
    for row in rows:
        if row.spanning:
            section = section_to_model(row, chapter_no)
            if isinstance(section, Chapter):
                chapters.append(section)
                chapter_no, goal_id = section.no, None
            elif isinstance(section, Goal):
                goals.append(section)
                goal_id = section.id
            continue
        no = task_number(row.cells.get("task_no", ""))
        major = _measure_major(row)
        # A task whose number was lost entirely (the first one, or one that brings its own
        # task text): its first measure's number still says which; QA hears about it.
        lost = no is None and (
            not tasks or (bool(row.cells.get("task_text")) and major not in (None, tasks[-1].no))
        )
        if no is not None or lost:
            tasks.append(_TaskDraft(major if lost else no, goal_id, chapter_no, inferred=lost))
        task = tasks[-1]
        task.rows.append(row)
        if row.cells.get("task_text"):
            task.text = join_fragments(task.text, row.cells["task_text"])
            prov = row.provenance.get("task_text")
            task.provenance = task.provenance.merge(prov) if task.provenance and prov else prov
    return chapters, goals, tasks


def row_to_measure(row: RawRow, task: Task, plan_id: str) -> Measure:
    measure_id, text = split_measure_text(row.cells.get("text", ""))
    cells = {c: p for c, p in row.provenance.items() if c in PLAN_COLUMNS}
    return Measure(
        plan_id=plan_id,
        measure_id=measure_id,
        task_no=task.no,
        goal_id=task.goal_id,
        chapter_no=task.chapter_no,
        task_text=task.text,
        text=text,
        baseline=row.cells.get("baseline", ""),
        indicator=row.cells.get("indicator", ""),
        deadline_raw=row.cells.get("deadline", ""),
        expected_result=row.cells.get("expected_result", ""),
        responsible_raw=row.cells.get("responsible", ""),
        funding_raw=row.cells.get("funding", ""),
        provenance=_row_provenance(row),
        cells=cells,
    )


def lines_to_abbreviations(lines: list[tuple[str, Provenance]]) -> list[Abbreviation]:
    """`ABBR - full name;` lines (or `ABBR` then `- full name;`) → abbreviations, as printed."""
    result: list[Abbreviation] = []
    pending: tuple[str, Provenance] | None = None
    for text, prov in lines:
        text = collapse_ws(text)
        if pending and (m := _DASH_LINE.match(text)):
            result.append(Abbreviation(pending[0], _full_name(m["full"]), pending[1].merge(prov)))
            pending = None
        elif m := _ABBR_LINE.match(text):
            result.append(Abbreviation(collapse_ws(m["abbr"]), _full_name(m["full"]), prov))
            pending = None
        else:
            pending = (text.rstrip(":").strip(), prov)
    return result


def assemble_plan(decree: DecreeText) -> Plan:
    """The plan catalogue, in document order. Its findings are only what assembly had to
    guess (a task number read off its measures); `decree_qa` adds the checks."""
    years = plan_years(decree.title)
    plan_id = plan_id_for(years, decree.sha256)
    chapters, goals, drafts = rows_to_tasks(decree.rows)
    tasks: list[Task] = []
    measures: list[Measure] = []
    findings: list[Finding] = []
    for draft in drafts:
        task = Task(draft.no or 0, draft.goal_id, draft.chapter_no, draft.text, draft.provenance)
        tasks.append(task)
        measures += [row_to_measure(row, task, plan_id) for row in draft.rows]
        if draft.inferred and task.no:
            where = draft.provenance or _row_provenance(draft.rows[0])
            message = f"task {task.no} has no printed number; numbered after its measures"
            findings.append(Finding("task_number_inferred", message, str(where), Severity.WARNING))
    return Plan(
        plan_id=plan_id,
        title=decree.title,
        source=decree.source,
        sha256=decree.sha256,
        years=years,
        chapters=tuple(chapters),
        goals=tuple(goals),
        tasks=tuple(tasks),
        measures=tuple(measures),
        abbreviations=tuple(lines_to_abbreviations(decree.abbreviation_lines)),
        findings=tuple(findings),
    )


def _measure_major(row: RawRow) -> int | None:
    measure_id, _ = split_measure_text(row.cells.get("text", ""))
    return int(measure_id.split(".")[0]) if measure_id else None


def _full_name(text: str) -> str:
    return collapse_ws(text).rstrip(";.").strip()


def _row_provenance(row: RawRow) -> Provenance | None:
    result: Provenance | None = None
    for prov in row.provenance.values():
        result = result.merge(prov) if result else prov
    return result
