"""The supersede rule: for compliance, the newest report of an agency for a period counts.

Both files stay in the ledger (nothing is lost); these functions only choose.

- Only reports that can count take part: outcome `accepted` or `needs_review`, with an
  agency and a period. Rejected files and files without agency or period never supersede
  and are never returned by `latest_reports`.
- Reports compete per exact (agency, period): an annual report ("2019") and a half-year one
  ("2019-H1") are different keys — deciding how an annual report covers the halves is the
  compliance rules' business (`Period.halves()`).
- The newest wins: the later received date, then the later first sight in the ledger, then
  the larger sha256 (only so that the choice never depends on input order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from core.model import Outcome, Period, Report

_COUNTING = (Outcome.ACCEPTED, Outcome.NEEDS_REVIEW)


def latest_reports(reports: Iterable[Report]) -> list[Report]:
    """One report per (agency, period): the one that counts; ordered by first seen."""
    best: dict[tuple[str, Period], Report] = {}
    for report in reports:
        key = _key(report)
        if key is None:
            continue
        if key not in best or _newness(report) > _newness(best[key]):
            best[key] = report
    return sorted(best.values(), key=lambda r: (r.first_seen, r.file, r.sha256))


def superseded_by(reports: Iterable[Report]) -> dict[str, str]:
    """sha256 of each superseded report -> sha256 of the report that counts instead."""
    reports = list(reports)
    winners = {_key(r): r.sha256 for r in latest_reports(reports)}
    return {
        r.sha256: winners[key]
        for r in reports
        if (key := _key(r)) is not None and winners[key] != r.sha256
    }


def _key(report: Report) -> tuple[str, Period] | None:
    if report.outcome not in _COUNTING or not report.agency or report.period is None:
        return None
    return report.agency, report.period


def _newness(report: Report) -> tuple:
    return (report.received_date or date.min, report.first_seen, report.sha256)
