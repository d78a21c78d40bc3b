"""The reminder package per agency: `agencies/<code>/overdue-<as_of>.<lang>.xlsx` (the
attachment) and `letter-<as_of>.<lang>.docx` (the letter, `outputs.letter`).

The attachment names the agency in full, the plan by its title and the as-of date, lists
the half-year reports not received, then the overdue measures with status and deadline,
then the measures still unreported. Measures the agency reported completed are not asked
about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from core.model import Status
from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.views import submission_states, unreported_rows
from outputs.workbook.sheet import (
    Ctx,
    days_col,
    finish,
    period_col,
    periods_col,
    status_col,
    word_col,
)
from outputs.workbook.style import BOLD, TITLE_FONT, Column, put, save, write_table

AGENCY_DIR = "agencies"
AGENCY_WORKBOOK_NAME = "overdue-{as_of}.{lang}.xlsx"
MISSING_STATES = ("missing", "unreadable")
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')  # not allowed in a folder name somewhere


def agency_slug(agency: str) -> str:
    """The agency's folder: its code, with characters no file system accepts replaced."""
    slug = UNSAFE.sub("_", agency).strip(" ._")
    return slug or "agency"


def missing_reports(result: ComplianceResult, agency: str) -> pd.DataFrame:
    states = submission_states(result)
    return states[(states["agency"] == agency) & states["state"].isin(MISSING_STATES)]


def overdue_for(result: ComplianceResult, agency: str) -> pd.DataFrame:
    ob = result.compliance[result.compliance["obligated"]]
    mine = ob[(ob["agency"] == agency) & ob["overdue"]]
    return mine.sort_values(["days_overdue", "measure_id"], ascending=[False, True])


def unreported_for(result: ComplianceResult, agency: str) -> pd.DataFrame:
    rows = unreported_rows(result, agency)
    return rows[rows["status"] != Status.COMPLETED]


def agencies_to_remind(result: ComplianceResult) -> list[str]:
    """Agencies (not the coordinator) with a missing report or a measure to ask about."""
    ob = result.compliance[result.compliance["obligated"]]
    asked = ob[(ob["overdue"] | (ob["periods_missing"] > 0)) & (ob["status"] != Status.COMPLETED)]
    states = submission_states(result)
    missing = states[states["state"].isin(MISSING_STATES)]
    found = set(asked["agency"]) | set(missing["agency"])
    return sorted(found - {result.coordinator})


def build_agency_workbook(result: ComplianceResult, labels: Labels, agency: str) -> Workbook:
    ctx = Ctx(result, labels, "../../../")
    wb = Workbook()
    ws = wb.active
    ws.title = labels.sheet("overdue")
    put(ws, 1, 1, labels.text("reminder_title"), font=TITLE_FONT)
    for row, text in enumerate(
        (ctx.agency_full(agency), ctx.plan_title, labels.as_of(result.as_of)), start=2
    ):
        put(ws, row, 1, text, font=BOLD if row == 2 else None)
    row = 6
    put(ws, row, 1, labels.sheet("missing_reports"), font=BOLD)
    missing = [
        Column("period", lambda r: labels.period(r["period"])),
        Column("due_date"),
        word_col(ctx, "state", "states"),
    ]
    row = write_table(ws, missing_reports(result, agency), missing, labels, row + 1, freeze=False)
    put(ws, row + 1, 1, labels.sheet("overdue"), font=BOLD)
    header = row + 2
    overdue = [
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_end"),
        days_col(),
        status_col(ctx),
        word_col(ctx, "overdue_kind", "overdue_kinds"),
        period_col(ctx, "latest_period"),
    ]
    row = write_table(ws, overdue_for(result, agency), overdue, labels, header, freeze=False)
    put(ws, row + 1, 1, labels.sheet("unreported"), font=BOLD)
    unreported = [
        Column("measure_id"),
        Column("measure_text"),
        Column("deadline_raw"),
        Column("deadline_end"),
        Column("days_overdue"),
        status_col(ctx),
        periods_col(ctx, "missing_periods"),
    ]
    write_table(ws, unreported_for(result, agency), unreported, labels, row + 2, freeze=False)
    ws.auto_filter.ref = None
    finish(ws, ctx, f"{header}:{header}")
    return wb


def write_agency_files(
    result: ComplianceResult,
    folder: Path,
    labels: Labels,
    agencies: Iterable[str],
    letter_settings=None,
) -> list[Path]:
    from outputs.letter import write_letter

    paths, used = [], set()
    as_of = result.as_of.isoformat()
    for agency in agencies:
        slug = agency_slug(agency)
        while slug in used:  # two codes that slug alike must not overwrite each other
            slug += "_"
        used.add(slug)
        name = AGENCY_WORKBOOK_NAME.format(as_of=as_of, lang=labels.lang)
        book = folder / slug / name
        paths.append(save(build_agency_workbook(result, labels, agency), book))
        paths.append(write_letter(result, labels, agency, folder / slug, letter_settings))
    return paths
