"""The plan extractor checks its own output. Every finding names its place in the source.

Checks: task numbers run 1, 2, 3 …; each task's measures run N.1, N.2 … with N its task
number; every table fragment found a cell; every measure has a deadline and responsible
executors; every line of the abbreviation list became an abbreviation. A finding is never dropped; a clean check yields nothing, so on a good decree
the only findings are true gaps of the source itself (in the seed: 3.2 names nobody).
"""

from __future__ import annotations

from collections.abc import Iterator

from core.model import Finding, Measure, Plan, Provenance, Severity, Task
from extractors.decree_rows import DecreeText

# Measure cells that must not be empty, with the finding code for each.
REQUIRED_CELLS = {
    "text": ("missing_text", Severity.ERROR, "has no measure text"),
    "deadline_raw": ("missing_deadline", Severity.WARNING, "has no deadline"),
    "responsible_raw": ("missing_responsible", Severity.WARNING, "names no responsible executor"),
}


def check_plan(plan: Plan, decree: DecreeText) -> tuple[Finding, ...]:
    """All findings about `plan` (read from `decree`), in document order of the checks."""
    return (
        *unassigned_findings(decree),
        *task_findings(plan.tasks, plan.source),
        *measure_number_findings(plan, plan.source),
        *missing_cell_findings(plan.measures, plan.source),
        *abbreviation_findings(plan, decree),
    )


def _short(text: str, limit: int = 60) -> str:
    """Source text quoted in a finding: cut to `limit` characters with "..."."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def unassigned_findings(decree: DecreeText) -> Iterator[Finding]:
    for text, prov in decree.unassigned:
        yield Finding(
            "unassigned_fragment",
            f"table text that fits no row or column: {_short(text)!r}",
            str(prov),
            Severity.ERROR,
        )


def abbreviation_findings(plan: Plan, decree: DecreeText) -> Iterator[Finding]:
    """Every line of the abbreviation list must end up in some abbreviation."""
    used = {line for a in plan.abbreviations if a.provenance for line in a.provenance.lines}
    for text, prov in decree.abbreviation_lines:
        if prov.lines and not used.intersection(prov.lines) and text.strip():
            yield Finding(
                "unparsed_abbreviation",
                f"abbreviation-list line with no 'ABBR - full name' form: {_short(text)!r}",
                str(prov),
                Severity.WARNING,
            )


def task_findings(tasks: tuple[Task, ...], source: str) -> Iterator[Finding]:
    """Task numbers must run 1, 2, 3 … without gaps, repeats or missing numbers."""
    previous = 0
    for task in tasks:
        where = _where(task.provenance, source)
        if task.no <= 0:
            yield Finding("task_number_missing", "a task has no number", where, Severity.ERROR)
            continue
        if task.no == previous:
            yield Finding("task_duplicate", f"task {task.no} appears twice", where, Severity.ERROR)
        elif task.no < previous:
            yield Finding(
                "task_order",
                f"task {task.no} comes after task {previous}",
                where,
                Severity.ERROR,
            )
        elif task.no > previous + 1:
            missing = ", ".join(str(n) for n in range(previous + 1, task.no))
            yield Finding(
                "task_gap",
                f"task numbers jump from {previous} to {task.no} (missing {missing})",
                where,
                Severity.ERROR,
            )
        previous = max(previous, task.no)


def measure_number_findings(plan: Plan, source: str) -> Iterator[Finding]:
    """Within a task, measures run N.1, N.2 … and N is the task's own number."""
    seen: set[str] = set()
    expected: dict[str, int] = {}  # id prefix (task number) -> next measure number
    for m in plan.measures:
        where = _where(m.provenance, source)
        if not m.measure_id:
            yield Finding(
                "measure_number_missing",
                f"a measure of task {m.task_no} has no number",
                where,
                Severity.ERROR,
            )
            continue
        *prefix, minor = (int(p) for p in m.measure_id.split("."))
        major = prefix[0] if prefix else m.task_no
        if m.measure_id in seen:
            yield _measure(m, "measure_duplicate", f"measure {m.measure_id} appears twice", where)
        seen.add(m.measure_id)
        # `N.k` belongs to task N; a longer id (`1.2.3`) numbers by chapter or goal, which
        # says nothing about the task, so only its run within the same prefix is checked.
        if len(prefix) == 1 and major != m.task_no:
            yield _measure(
                m,
                "measure_task_mismatch",
                f"measure {m.measure_id} sits under task {m.task_no}",
                where,
            )
            continue
        key = ".".join(map(str, prefix))
        want = expected.get(key, 1)
        if minor != want:
            before = f"{key}.{want - 1}" if key else str(want - 1)
            wanted = f"{key}.{want}" if key else str(want)
            yield _measure(
                m,
                "measure_gap",
                f"measure {m.measure_id} follows {before} (expected {wanted})",
                where,
            )
        expected[key] = max(want, minor) + 1


def missing_cell_findings(measures: tuple[Measure, ...], source: str) -> Iterator[Finding]:
    for m in measures:
        for attr, (code, severity, what) in REQUIRED_CELLS.items():
            if not getattr(m, attr).strip():
                where = _where(m.provenance, source)
                yield Finding(code, f"measure {m.measure_id} {what}", where, severity, m.measure_id)


def _measure(m: Measure, code: str, message: str, where: str) -> Finding:
    return Finding(code, message, where, Severity.ERROR, m.measure_id)


def _where(provenance: Provenance | None, source: str) -> str:
    return str(provenance) if provenance else source
