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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from core.model import Status
from outputs.compliance import ComplianceResult
from outputs.labels import Labels
from outputs.views import submission_states
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


@dataclass(frozen=True)
class AgencyRows:
    """What one agency is asked about: missing half-year reports, overdue measures, and
    measures still unreported (not the ones it reported completed)."""

    missing: pd.DataFrame
    overdue: pd.DataFrame
    unreported: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.missing.empty and self.overdue.empty and self.unreported.empty


def agency_rows(result: ComplianceResult) -> dict[str, AgencyRows]:
    """Every agency's rows, computed once for all the reminders of a run."""
    states = submission_states(result)
    missing = states[states["state"].isin(MISSING_STATES)]
    ob = result.compliance[result.compliance["obligated"]]
    overdue = ob[ob["overdue"]].sort_values(["days_overdue", "measure_id"], ascending=[False, True])
    unreported = ob[(ob["periods_missing"] > 0) & ~ob["overdue"]]
    unreported = unreported[unreported["status"] != Status.COMPLETED]
    agencies = set(ob["agency"]) | set(missing["agency"])
    return {
        a: AgencyRows(
            missing[missing["agency"] == a],
            overdue[overdue["agency"] == a],
            unreported[unreported["agency"] == a],
        )
        for a in agencies
    }


def agencies_to_remind(
    result: ComplianceResult, rows: dict[str, AgencyRows] | None = None
) -> list[str]:
    """Agencies (not the coordinator) with a missing report or a measure to ask about."""
    rows = agency_rows(result) if rows is None else rows
    return sorted(a for a, r in rows.items() if not r.empty and a != result.coordinator)


def build_agency_workbook(
    result: ComplianceResult, labels: Labels, agency: str, rows: AgencyRows | None = None
) -> Workbook:
    rows = agency_rows(result)[agency] if rows is None else rows
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
    row = write_table(ws, rows.missing, missing, labels, row + 1, freeze=False)
    if rows.missing.empty:
        put(ws, row, 1, labels.text("letter_none"))
        row += 1
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
    row = write_table(ws, rows.overdue, overdue, labels, header, freeze=False)
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
    write_table(ws, rows.unreported, unreported, labels, row + 2, freeze=False)
    ws.auto_filter.ref = None
    finish(ws, ctx, f"{header}:{header}")
    return wb


def write_agency_files(
    result: ComplianceResult,
    folder: Path,
    labels: Labels,
    agencies: Iterable[str] | None = None,
    letter_settings=None,
) -> list[Path]:
    """A folder per agency (default: every agency to remind) with the attachment and the
    letter."""
    from outputs.letter import write_letter

    rows = agency_rows(result)
    agencies = agencies_to_remind(result, rows) if agencies is None else agencies
    paths, used = [], set()
    as_of = result.as_of.isoformat()
    for agency in agencies:
        slug = agency_slug(agency)
        while slug in used:  # two codes that slug alike must not overwrite each other
            slug += "_"
        used.add(slug)
        name = AGENCY_WORKBOOK_NAME.format(as_of=as_of, lang=labels.lang)
        book = folder / slug / name
        mine = rows.get(agency) or AgencyRows(*(pd.DataFrame() for _ in range(3)))
        paths.append(save(build_agency_workbook(result, labels, agency, mine), book))
        paths.append(write_letter(result, labels, agency, folder / slug, letter_settings, mine))
    return paths
