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
from extractors.decree_columns import section_of
from extractors.decree_rows import ID_COLUMN, DecreeText, RawRow

PLAN_ID_PREFIX = "nap"  # national action plan: ids read `nap-2018-2020`
_MEASURE_NO = re.compile(
    r"^\s*(\d{1,3})\s*\.\s*(\d{1,3})(?!\d)(?:\.(\d{1,3})(?=\.?(?:\s|$|[^\W\d_])))?\s*\.?\s*"
)
_ID_CELL = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){1,3})\.?$")
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
    ids: list[str] = field(default_factory=list)  # each row's measure id, as placed
    inferred: bool = False  # the number was not printed; it comes from the measures
    heading: bool = False  # opened by a task heading (full-width row or a labelled cell)


@dataclass(frozen=True)
class RowNumbers:
    """What a measure row's numbers say, whichever column printed them.

    The number column holds, depending on the plan, the task number (`12`, the seed), the
    measure's id (`1.1.`, `№ п/п`) or its ordinal within its task (`1.`, under `Задача 1.`
    headings); the id may also lead the measure text (`1.1. Текст`) or have its own column.
    """

    measure_id: str  # as printed, normalized (`1.1`, `1.1.1`); "" if none
    number: int | None  # a bare number in the number column (task number or ordinal)
    text: str  # the measure text without its leading id


def task_number(cell: str) -> int | None:
    """`3 4` → 34, `1 2 .` → 12: the converter spaces out the digits of a task number."""
    digits = re.sub(r"\D", "", cell)
    return int(digits) if digits else None


def split_measure_text(cell: str) -> tuple[str, str]:
    """`6.1.Текст` → ("6.1", "Текст"), `1.2.3. Текст` → ("1.2.3", "Текст"); a cell without
    a number → ("", cell)."""
    m = _MEASURE_NO.match(cell)
    if not m:
        return "", collapse_ws(cell)
    parts = [m[1], m[2], *([m[3]] if m[3] else [])]
    return ".".join(str(int(p)) for p in parts), collapse_ws(cell[m.end() :])


def id_cell(cell: str) -> str:
    """A cell that is only a measure id (`1.1.`, `1 . 1`, `1.1.1`) → `1.1`; else ""."""
    m = _ID_CELL.match(re.sub(r"\s", "", cell))
    return ".".join(str(int(p)) for p in m[1].split(".")) if m else ""


def row_numbers(row: RawRow) -> RowNumbers:
    text_id, text = split_measure_text(row.cells.get("text", ""))
    own = row.cells.get(ID_COLUMN, "")
    number_cell = row.cells.get("task_no", "")
    measure_id = text_id or id_cell(own) or id_cell(number_cell)
    number = None if id_cell(number_cell) else task_number(number_cell)
    if number is None and own and not id_cell(own):
        number = task_number(own)  # `1.` in an id column: an ordinal
    return RowNumbers(measure_id, number, text)


def plan_years(title: str) -> tuple[int, int] | None:
    m = _YEARS.search(title)
    return (int(m[1]), int(m[2])) if m else None


def plan_id_for(years: tuple[int, int] | None, sha256: str) -> str:
    """A stable slug: `nap-2018-2020`; without years, the file's hash keeps it stable."""
    if years:
        return f"{PLAN_ID_PREFIX}-{years[0]}-{years[1]}"
    return f"{PLAN_ID_PREFIX}-{sha256[:12] or 'unknown'}"


def section_to_model(row: RawRow, chapter_no: int | None) -> Chapter | Goal | _TaskDraft | None:
    """A heading row → its chapter, goal or (the draft of) its task; None if it is none."""
    found = section_of(row.text())
    if found is None:
        return None
    kind, m = found
    prov = _row_provenance(row)
    if kind == "chapter":
        return Chapter(int(m["no"]), collapse_ws(m["title"]), prov)
    if kind == "goal":
        goal_id = m["id"]
        chapter = chapter_no if chapter_no is not None else int(goal_id.split(".")[0])
        return Goal(goal_id, chapter, collapse_ws(m["title"]), prov)
    draft = _TaskDraft(int(m["no"]), None, chapter_no, collapse_ws(m["title"]), prov)
    draft.heading = True
    return draft


def rows_to_tasks(rows: list[RawRow]) -> tuple[list[Chapter], list[Goal], list[_TaskDraft]]:
    """Group measure rows under their tasks; collect chapters and goals on the way."""
    chapters: list[Chapter] = []
    goals: list[Goal] = []
    tasks: list[_TaskDraft] = []
    chapter_no: int | None = None
    goal_id: str | None = None
    marked = _has_task_markers(rows)
    for row in rows:
        if row.spanning:
            section = section_to_model(row, chapter_no)
            if isinstance(section, Chapter):
                chapters.append(section)
                chapter_no, goal_id = section.no, None
            elif isinstance(section, Goal):
                goals.append(section)
                goal_id = section.id
            elif isinstance(section, _TaskDraft):
                section.goal_id = goal_id
                tasks.append(section)
            continue
        _place_row(row, tasks, goal_id, chapter_no, marked)
    return chapters, goals, tasks


def _place_row(
    row: RawRow, tasks: list[_TaskDraft], goal_id: str | None, chapter_no: int | None, marked: bool
) -> None:
    """Append a measure row to its task, opening a task where the row says one starts."""
    numbers = row_numbers(row)
    task_text = row.cells.get("task_text", "")
    label = section_of(task_text) if task_text else None
    labelled = label is not None and label[0] == "task"
    headed = bool(tasks) and tasks[-1].heading and not labelled
    # A bare number is the task's number, unless the task came from a heading and the row
    # has no id of its own: then it is the measure's ordinal within that task.
    no = None if headed and not numbers.measure_id else numbers.number
    if labelled:
        no = no if no is not None else int(label[1]["no"])
        task_text = collapse_ws(label[1]["title"])
    major = int(numbers.measure_id.split(".")[0]) if numbers.measure_id else None
    # A task whose number was lost entirely (the first one, or one that brings its own task
    # text), or a plan that prints no tasks at all: the measure's number says which.
    lost = no is None and (
        not tasks
        or (bool(task_text) and major not in (None, tasks[-1].no))
        or (not marked and major is not None and major != tasks[-1].no)
    )
    if no is not None or lost:
        tasks.append(_TaskDraft(major if lost else no, goal_id, chapter_no, inferred=lost))
        tasks[-1].heading = labelled
    task = tasks[-1]
    task.rows.append(row)
    ordinal = headed and not numbers.measure_id and numbers.number is not None
    task.ids.append(f"{task.no}.{numbers.number}" if ordinal else numbers.measure_id)
    if task_text:
        task.text = join_fragments(task.text, task_text)
        prov = row.provenance.get("task_text")
        task.provenance = task.provenance.merge(prov) if task.provenance and prov else prov


def _has_task_markers(rows: list[RawRow]) -> bool:
    """Does the plan print its tasks at all (a number or text column, or heading rows)?"""
    for row in rows:
        if row.spanning:
            found = section_of(row.text())
            if found and found[0] == "task":
                return True
        elif row.cells.get("task_text") or (
            task_number(row.cells.get("task_no", "")) is not None
            and not id_cell(row.cells.get("task_no", ""))
        ):
            return True
    return False


def row_to_measure(row: RawRow, task: Task, plan_id: str, measure_id: str | None = None) -> Measure:
    """A measure row → its Measure; `measure_id` as placed under its task (an ordinal `1.`
    under a task heading becomes `N.1`), else the id the row prints."""
    numbers = row_numbers(row)
    measure_id = numbers.measure_id if measure_id is None else measure_id
    cells = {c: p for c, p in row.provenance.items() if c in PLAN_COLUMNS}
    return Measure(
        plan_id=plan_id,
        measure_id=measure_id,
        task_no=task.no,
        goal_id=task.goal_id,
        chapter_no=task.chapter_no,
        task_text=task.text,
        text=numbers.text,
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
        measures += [
            row_to_measure(row, task, plan_id, mid)
            for row, mid in zip(draft.rows, draft.ids, strict=True)
        ]
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


def _full_name(text: str) -> str:
    return collapse_ws(text).rstrip(";.").strip()


def _row_provenance(row: RawRow) -> Provenance | None:
    result: Provenance | None = None
    for prov in row.provenance.values():
        result = result.merge(prov) if result else prov
    return result
