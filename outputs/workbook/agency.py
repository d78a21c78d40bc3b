"""Per-agency workbooks: an attachment to a reminder."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.workbook.overdue import write_overdue
from outputs.workbook.style import BOLD, TITLE_FONT, put, save
from outputs.workbook.unreported import write_unreported

AGENCY_DIR = "agencies"


AGENCY_WORKBOOK_NAME = "overdue-{as_of}-{agency}.xlsx"


AGENCY_TABLE_ROW = 4  # per-agency sheets: agency and as-of date above the table


def agency_slug(agency: str) -> str:
    """A file-name-safe form of an agency code (Cyrillic letters kept)."""
    slug = re.sub(r"[^\w]+", "_", agency, flags=re.UNICODE).strip("_")
    return slug or "agency"


def build_agency_workbook(result: ComplianceResult, labels: Labels, agency: str) -> Workbook:
    """Only this agency's overdue and unreported measures: an attachment to a reminder.
    Each sheet starts with the agency and the as-of date; the table follows on row 4."""
    wb = Workbook()
    overdue = wb.active
    overdue.title = labels.sheet("overdue")
    unreported = wb.create_sheet(labels.sheet("unreported"))
    for ws, writer in ((overdue, write_overdue), (unreported, write_unreported)):
        put(ws, 1, 1, labels.text("agency_title"), font=TITLE_FONT)
        put(ws, 1, 3, agency, font=TITLE_FONT)
        put(ws, 2, 1, labels.text("as_of"), font=BOLD)
        put(ws, 2, 3, result.as_of)
        writer(ws, result, labels, agency, AGENCY_TABLE_ROW)
    return wb


def agencies_to_remind(result: ComplianceResult) -> list[str]:
    df = result.compliance
    flagged = df[df["obligated"] & (df["overdue"] | (df["periods_missing"] > 0))]
    return sorted(set(flagged["agency"]))


def write_agency_workbooks(
    result: ComplianceResult, folder: Path, labels: Labels, as_of: str, agencies: Iterable[str]
) -> list[Path]:
    paths, used = [], set()
    for agency in agencies:
        slug = agency_slug(agency)
        while slug in used:  # two codes that slug alike must not overwrite each other
            slug += "_"
        used.add(slug)
        name = AGENCY_WORKBOOK_NAME.format(as_of=as_of, agency=slug)
        paths.append(save(build_agency_workbook(result, labels, agency), folder / name))
    return paths
