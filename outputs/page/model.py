"""The page's numbers and words as a plain dict, from a `ComplianceResult` and the runs the
ledger recorded. Everything is taken from the workbook's own views (`outputs.views`), its
grid states and colours (`outputs.workbook.submissions.STATE_FILLS`) and its rate scale
(`outputs.workbook.summary.RATE_SCALE`), so the page and the workbook cannot disagree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from core.model import RunRecord
from outputs.agency_names import short_name
from outputs.changes import CHANGES, Since
from outputs.compliance import ComplianceResult
from outputs.headline import headline_sentences
from outputs.labels import Labels
from outputs.views import grid, ranking, rates, received_files
from outputs.workbook.sheet import Ctx, evidence_file
from outputs.workbook.style import GREY, plain
from outputs.workbook.submissions import STATE_FILLS
from outputs.workbook.summary import RATE_SCALE, grid_text
from outputs.workbook.whatchanged import value_in_words

# The trend keeps the last MAX_RUNS run dates (a quarter of nightly runs): beyond that a
# line chart 900 px wide has under 10 px per run and the data table under it gets long.
# Older runs stay in the ledger; the page says how many it left out.
MAX_RUNS = 90
MAX_CHANGES = 500  # more rows than anyone reads on a page; the workbook and changes.csv hold all
OPEN_CHANGES = 15  # up to this many changes the table is shown open, beyond it folded
KINDS = ("reported_not_done", "no_information")


def colour(fill) -> str:
    """An openpyxl fill's colour as CSS: 'FFC6EFCE' -> '#C6EFCE'."""
    return "#" + str(fill.fgColor.rgb)[-6:]


STATE_COLOURS = {state: colour(fill) for state, fill in STATE_FILLS.items()}
NOT_EXPECTED_COLOUR = colour(GREY)


def _hex(value: str) -> tuple[int, int, int]:
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rate_colour(value: float | None) -> str | None:
    """The workbook's red - yellow - green colour scale (0 %, 50 %, 100 %) at `value`."""
    if value is None or pd.isna(value):
        return None
    lo, mid, hi = (_hex(RATE_SCALE[f"{k}_color"]) for k in ("start", "mid", "end"))
    a, b, t = (lo, mid, value / 0.5) if value <= 0.5 else (mid, hi, (value - 0.5) / 0.5)
    t = min(1.0, max(0.0, t))
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))


def percent(value: Any) -> str:
    value = plain(value)
    return "" if value is None else f"{round(100 * value)}%"


def rate(part: Any, whole: Any) -> float | None:
    return part / whole if isinstance(part, int) and isinstance(whole, int) and whole else None


# --------------------------------------------------------------------------- headline


def headline(result: ComplianceResult, labels: Labels) -> dict[str, Any]:
    f = result.figures
    keys = (
        "overdue_reported_not_done",
        "overdue_no_information",
        "measures_overdue_reported_not_done",
        "measures_overdue_no_information",
        "measures_overdue",
        "measures",
        "expected",
        "received",
        "on_time",
        "reporting_rate",
        "on_time_rate",
    )
    return {
        **{k: plain(f.get(k)) for k in keys},
        "reporting_text": percent(f.get("reporting_rate")),
        "on_time_text": percent(f.get("on_time_rate")),
        "sentences": headline_sentences(f, labels),
    }


# --------------------------------------------------------------------------- grid and bars


def grid_model(ctx: Ctx, agencies: list[str]) -> dict[str, Any]:
    """Agencies (ranked order) x half-years, each cell the workbook's state text and colour."""
    labels = ctx.labels
    states, periods = grid(ctx.result, agencies)
    cells = {(r["agency"], r["period"]): r for r in states.to_dict("records")}
    by_agency, by_period = rates(states, "agency"), rates(states, "period")
    rows = []
    for agency in agencies:
        row_cells = []
        for period in periods:
            record = cells.get((agency, period))
            state = record["state"] if record else "not_expected"
            row_cells.append(
                {
                    "period": period,
                    "state": state,
                    "text": grid_text(labels, record)
                    if record
                    else labels.word("states", "not_expected"),
                    "colour": STATE_COLOURS.get(state, NOT_EXPECTED_COLOUR),
                    "file": plain(record.get("report_file")) if record else None,
                }
            )
        rows.append(
            {
                "agency": agency,
                "name": ctx.agency(agency),
                "full_name": ctx.agency_full(agency),
                "cells": row_cells,
                **_rates(by_agency, agency),
            }
        )
    f = ctx.result.figures
    totals = [_rates(by_period, p) for p in periods]
    overall = {
        "reporting_rate": percent(f.get("reporting_rate")),
        "reporting_colour": rate_colour(plain(f.get("reporting_rate"))),
        "on_time_rate": percent(f.get("on_time_rate")),
        "on_time_colour": rate_colour(plain(f.get("on_time_rate"))),
    }
    return {
        "periods": [{"code": p, "text": labels.period(p)} for p in periods],
        "rows": rows,
        "totals": totals,
        "overall": overall,
        "legend": [
            {"text": labels.word("states", s), "colour": STATE_COLOURS[s]}
            for s in ("on_time", "late", "unreadable", "missing")
        ]
        + [{"text": labels.word("states", "not_expected"), "colour": NOT_EXPECTED_COLOUR}],
    }


def _rates(table: pd.DataFrame, key: str) -> dict[str, Any]:
    out = {}
    for name in ("reporting_rate", "on_time_rate"):
        value = plain(table[name].get(key)) if key in table.index else None
        out[name] = percent(value)
        out[name.replace("rate", "colour")] = rate_colour(value)
    return out


def bars_model(ctx: Ctx, ranked: pd.DataFrame) -> list[dict[str, Any]]:
    """Overdue pairs per agency, both kinds, most first (the workbook's ranking)."""
    return [
        {
            "agency": r["agency"],
            "name": ctx.agency(r["agency"]),
            "overdue": int(r["overdue"]),
            "reported_not_done": int(r["overdue_reported_not_done"]),
            "no_information": int(r["overdue_no_information"]),
        }
        for r in ranked.to_dict("records")
        if int(r["overdue"]) > 0
    ]


# --------------------------------------------------------------------------- trend


def trend_model(
    runs: Iterable[RunRecord], result: ComplianceResult, max_runs: int = MAX_RUNS
) -> dict[str, Any]:
    """One point per as-of date (the latest run of a day counts), this run's figures for
    its own day, the last `max_runs` dates. Runs of other plans are left out."""
    plan_ids = set(result.plan_titles)
    by_day: dict[date, Mapping[str, Any]] = {}
    for run in runs:  # oldest first: a later run of the same day replaces an earlier one
        if plan_ids and run.plan_ids and not plan_ids & set(run.plan_ids):
            continue
        by_day[run.as_of] = run.counts
    by_day[result.as_of] = {k: plain(v) for k, v in result.figures.items()}
    days = sorted(by_day)
    shown = days[-max_runs:]
    points = []
    for day in shown:
        c = by_day[day]
        points.append(
            {
                "as_of": day,
                "reporting_rate": rate(c.get("received"), c.get("expected")),
                # runs recorded before `on_time` was kept have no on-time rate: a gap
                "on_time_rate": rate(c.get("on_time"), c.get("expected")),
                "reported_not_done": c.get("overdue_reported_not_done"),
                "no_information": c.get("overdue_no_information"),
            }
        )
    return {"points": points, "total": len(days), "shown": len(shown)}


# --------------------------------------------------------------------------- tables


def overdue_table(ctx: Ctx) -> list[dict[str, Any]]:
    """Every overdue (measure, agency) pair, most overdue first, with its evidence: the
    report entry for `reported_not_done`, the agency's reports that arrived for those
    half-years (none mentioning the measure) for `no_information`."""
    labels, result = ctx.labels, ctx.result
    ob = result.compliance[result.compliance["obligated"] & result.compliance["overdue"]]
    ob = ob.sort_values(
        ["days_overdue", "agency", "measure_id"], ascending=[False, True, True], kind="stable"
    )
    rows = []
    for r in ob.to_dict("records"):
        kind = plain(r["overdue_kind"]) or ""
        if kind == "no_information":
            files = received_files(result, r["agency"], plain(r["missing_periods"]) or "")
            evidence, target = files, ctx.link_to(files.split("; ")[0]) if files else None
        else:
            evidence = labels.evidence(plain(r["evidence"])) or ""
            target = ctx.link_to(evidence_file(r))
        deadline = plain(r["deadline_end"])
        rows.append(
            {
                "agency": r["agency"],
                "agency_name": ctx.agency(r["agency"]),
                "measure_id": r["measure_id"],
                "measure_text": plain(r["measure_text"]) or "",
                "deadline": labels.date(deadline) if isinstance(deadline, date) else "",
                "deadline_iso": deadline.isoformat() if isinstance(deadline, date) else "",
                "deadline_raw": plain(r["deadline_raw"]) or "",
                "kind": kind,
                "kind_text": labels.maybe("overdue_kinds", kind),
                "days": plain(r["days_overdue"]),
                "status": labels.maybe("statuses", plain(r["status"])) or "",
                "evidence": evidence,
                "href": target,
            }
        )
    return rows


def changes_model(ctx: Ctx, since: Since | None) -> dict[str, Any]:
    labels = ctx.labels
    if since is None or since.first:
        return {"note": labels.text("first_run"), "counts": [], "rows": [], "more": 0}
    when = since.previous_at.strftime("%d.%m.%Y %H:%M") if since.previous_at else ""
    note = labels.text("compared_with", date=labels.date(since.previous_as_of), when=when)
    if since.changes.empty:
        note = f"{note} {labels.text('no_changes')}"
    rows = [
        {
            "change": labels.maybe("changes", r["change"]),
            "agency": ctx.agency(plain(r["agency"])) or "",
            "measure_id": plain(r["measure_id"]) or "",
            "period": labels.period(plain(r["period"])) or "",
            "previous": value_in_words(ctx, r["previous"]) or "",
            "current": value_in_words(ctx, r["current"]) or "",
        }
        for r in since.changes.head(MAX_CHANGES).to_dict("records")
    ]
    counts = since.changes["change"].value_counts()
    kinds = [(labels.word("changes", c), int(counts[c])) for c in CHANGES if c in counts]
    return {
        "note": note,
        "counts": kinds,
        "rows": rows,
        "more": max(0, len(since.changes) - MAX_CHANGES),
    }


# --------------------------------------------------------------------------- the page


def page_model(
    result: ComplianceResult,
    labels: Labels,
    runs: Iterable[RunRecord] = (),
    since: Since | None = None,
    workbook: str | None = None,
    link_prefix: str = "../",
) -> dict[str, Any]:
    """Everything the template shows. `workbook`: the workbook's file name (beside the page);
    `link_prefix`: from the page's folder to the workdir (archived files are `archive/…`)."""
    ctx = Ctx(result, labels, link_prefix)
    ranked = ranking(result, labels.sort_key)
    rows = overdue_table(ctx)
    return {
        "lang": labels.lang,
        "plan_title": ctx.plan_title,
        "as_of": result.as_of.isoformat(),
        "as_of_text": labels.as_of(result.as_of),
        "headline": headline(result, labels),
        "grid": grid_model(ctx, list(ranked["agency"])),
        "bars": bars_model(ctx, ranked),
        "trend": trend_model(runs, result),
        "changes": changes_model(ctx, since),
        "overdue": rows,
        "overdue_agencies": sorted(
            {(r["agency"], r["agency_name"]) for r in rows}, key=lambda a: labels.sort_key(a[1])
        ),
        "workbook": workbook,
        "agency_files": [],  # filled by `agency_files` when the page is written beside them
    }


def agency_files(out_dir: Path, as_of: date, labels: Labels) -> list[dict[str, Any]]:
    """The reminder packages written for this day and language under `out_dir/agencies/`
    (`--per-agency`), linked relative to the page, agencies in alphabetical order."""
    from outputs.letter import LETTER_NAME
    from outputs.workbook.agency import AGENCY_DIR, AGENCY_WORKBOOK_NAME

    names = {"as_of": as_of.isoformat(), "lang": labels.lang}
    found = []
    for folder in sorted(Path(out_dir, AGENCY_DIR).glob("*")):
        book, letter = (folder / n.format(**names) for n in (AGENCY_WORKBOOK_NAME, LETTER_NAME))
        if book.is_file():
            found.append(
                {
                    "name": short_name(folder.name, labels.lang),
                    "workbook": f"{AGENCY_DIR}/{folder.name}/{book.name}",
                    "letter": f"{AGENCY_DIR}/{folder.name}/{letter.name}"
                    if letter.is_file()
                    else None,
                }
            )
    return sorted(found, key=lambda f: labels.sort_key(f["name"]))
