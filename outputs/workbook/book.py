"""The whole workbook: sheets in order, one language, saved atomically as
`overdue-<as_of>.<lang>.xlsx` (a Russian workbook no longer replaces the Kyrgyz one)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from outputs.changes import Since
from outputs.compliance import ComplianceResult
from outputs.labels import DEFAULT_LANG, Labels, load_labels
from outputs.workbook.agency import AGENCY_DIR, write_agency_files
from outputs.workbook.measures import write_measures
from outputs.workbook.overdue import (
    write_coordinator,
    write_no_information,
    write_reported_not_done,
)
from outputs.workbook.review import write_plan_notes, write_review
from outputs.workbook.sheet import Ctx, Writer
from outputs.workbook.style import save
from outputs.workbook.submissions import write_submissions
from outputs.workbook.summary import write_summary
from outputs.workbook.unreported import write_unreported
from outputs.workbook.whatchanged import write_changes

WORKBOOK_NAME = "overdue-{as_of}.{lang}.xlsx"
SHEETS: tuple[tuple[str, Writer], ...] = (
    ("changes", write_changes),
    ("summary", write_summary),
    ("reported_not_done", write_reported_not_done),
    ("no_information", write_no_information),
    ("coordinator", write_coordinator),
    ("unreported", write_unreported),
    ("submissions", write_submissions),
    ("review", write_review),
    ("plan_notes", write_plan_notes),
    ("measures", write_measures),
)


def build_workbook(
    result: ComplianceResult, labels: Labels, since: Since | None = None
) -> Workbook:
    ctx = Ctx(result, labels, "../", {"since": since})
    wb = Workbook()
    for i, (key, writer) in enumerate(SHEETS):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = labels.sheet(key)
        writer(ws, ctx)
    return wb


def write_workbook(
    result: ComplianceResult,
    out_dir: Path,
    *,
    lang: str = DEFAULT_LANG,
    per_agency: bool = False,
    since: Since | None = None,
    letter_settings=None,
) -> list[Path]:
    """`overdue-<as_of>.<lang>.xlsx` under `out_dir`; with `per_agency`, a reminder package
    (workbook and letter) per agency with something to ask about under `out_dir/agencies/`."""
    out_dir = Path(out_dir)
    labels = load_labels(lang)
    name = WORKBOOK_NAME.format(as_of=result.as_of.isoformat(), lang=lang)
    paths = [save(build_workbook(result, labels, since), out_dir / name)]
    if per_agency:
        paths += write_agency_files(result, out_dir / AGENCY_DIR, labels, None, letter_settings)
    return paths
