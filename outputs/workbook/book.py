"""The whole workbook: sheets in order, saved atomically."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from outputs.compliance import ComplianceResult
from outputs.labels import DEFAULT_LANG, Labels, load_labels
from outputs.workbook.agency import AGENCY_DIR, agencies_to_remind, write_agency_workbooks
from outputs.workbook.measures import write_measures
from outputs.workbook.overdue import write_overdue
from outputs.workbook.review import write_review
from outputs.workbook.style import save
from outputs.workbook.submissions import write_submissions
from outputs.workbook.summary import write_summary
from outputs.workbook.unreported import write_unreported

WORKBOOK_NAME = "overdue-{as_of}.xlsx"


def build_workbook(result: ComplianceResult, labels: Labels) -> Workbook:
    wb = Workbook()
    writers = (
        ("summary", write_summary),
        ("overdue", write_overdue),
        ("unreported", write_unreported),
        ("submissions", write_submissions),
        ("review", write_review),
        ("measures", write_measures),
    )
    for i, (key, writer) in enumerate(writers):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = labels.sheet(key)
        writer(ws, result, labels)
    return wb


def write_workbook(
    result: ComplianceResult, out_dir: Path, *, lang: str = DEFAULT_LANG, per_agency: bool = False
) -> list[Path]:
    """`overdue-<as_of>.xlsx` under `out_dir`; with `per_agency`, one small workbook per
    agency with something overdue or unreported under `out_dir/agencies/`."""
    out_dir = Path(out_dir)
    labels = load_labels(lang)
    as_of = result.as_of.isoformat()
    paths = [save(build_workbook(result, labels), out_dir / WORKBOOK_NAME.format(as_of=as_of))]
    if per_agency:
        paths += write_agency_workbooks(
            result, out_dir / AGENCY_DIR, labels, as_of, agencies_to_remind(result)
        )
    return paths
