"""Rows of the ledger's tables <-> the core model (and the SQLite connection set-up)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import sqlalchemy as sa

from core.model import Entry, Period, Report, RunRecord, Sighting


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite only (engine set-up, not SQL the ledger relies on): write-ahead logging lets
    readers work while a worker writes, and one fsync per checkpoint instead of per commit
    keeps ingest fast; the database stays consistent after a crash."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def utc_naive(moment: datetime) -> datetime:
    """Store times as naive UTC: portable across SQLite (no time zones) and PostgreSQL."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def file_row(report: Report, period: str | None) -> dict:
    return {
        "sha256": report.sha256,
        "original_name": report.file,
        "size": report.size,
        "first_seen": utc_naive(report.first_seen),
        "agency": report.agency,
        "period": period,
        "received_date": report.received_date,
        "received_source": str(report.received_source) if report.received_source else None,
        "outcome": str(report.outcome),
        "reason": report.reason,
        "stored_path": report.stored_path,
        "plan_id": report.plan_id,
        "tries": report.tries,
    }


def entry_row(sha256: str, position: int, e: Entry, agency: str | None, period: str | None):
    return {
        "file_sha256": sha256,
        "position": position,
        "measure_id": e.measure_id,
        "agency": agency,
        "period": period,
        "status": str(e.status),
        "progress_text": e.progress_text,
        "link_method": str(e.link_method),
        "confidence": float(e.confidence),
        "location": e.location,
        "indicator_value": e.indicator_value,
        "review_reason": e.review_reason,
    }


def row_entry(row: sa.RowMapping) -> Entry:
    return Entry(
        measure_id=row["measure_id"],
        status=row["status"],
        progress_text=row["progress_text"],
        link_method=row["link_method"],
        confidence=row["confidence"],
        location=row["location"],
        indicator_value=row["indicator_value"],
        review_reason=row["review_reason"],
    )


def row_report(row: sa.RowMapping, entries: tuple[Entry, ...]) -> Report:
    return Report(
        file=row["original_name"],
        sha256=row["sha256"],
        size=row["size"],
        first_seen=row["first_seen"],
        outcome=row["outcome"],
        reason=row["reason"],
        agency=row["agency"],
        period=Period.parse(row["period"]) if row["period"] else None,
        received_date=row["received_date"],
        received_source=row["received_source"],
        entries=entries,
        stored_path=row["stored_path"],
        plan_id=row["plan_id"],
        tries=row["tries"],
    )


def sighting_row(s: Sighting) -> dict:
    return {
        "sha256": s.sha256,
        "name": s.name,
        "raw_name": s.raw_name,
        "size": s.size,
        "mtime": utc_naive(s.mtime) if s.mtime else None,
        "first_seen": utc_naive(s.first_seen),
    }


def row_sighting(row: sa.RowMapping) -> Sighting:
    return Sighting(
        sha256=row["sha256"],
        name=row["name"],
        size=row["size"],
        first_seen=row["first_seen"],
        mtime=row["mtime"],
        raw_name=row["raw_name"],
    )


def run_row(plan_ids: list[str], as_of: date, counts: dict, rows: list[dict]) -> dict:
    return {
        "created_at": utc_naive(datetime.now(UTC)),
        "as_of": as_of,
        "plan_ids": json.dumps(sorted(plan_ids), ensure_ascii=False),
        "counts": json.dumps(counts, ensure_ascii=False, default=str),
        "rows": json.dumps(rows, ensure_ascii=False, default=str),
    }


def row_run(row: sa.RowMapping) -> RunRecord:
    return RunRecord(
        run_id=row["id"],
        created_at=row["created_at"],
        as_of=row["as_of"],
        plan_ids=tuple(json.loads(row["plan_ids"])),
        counts=json.loads(row["counts"]),
        rows=tuple(json.loads(row["rows"])),
    )
