"""The ledger: every plan loaded and every inbox file ever seen, with its entries.

SQLAlchemy Core 2.x only, portable SQL only: `Ledger("sqlite:///work/ledger.sqlite")` by
default, `Ledger("postgresql+psycopg://user@host/db")` unchanged. Tables are created on
first use. Three tables:

- `plans`   one row per decree version: plan_id, the decree's sha256 (unique), title,
            source, loaded_at and the whole normalized Plan as JSON (`core.serialize`).
- `files`   one row per distinct file content (sha256 primary key): original name, size,
            first seen (naive UTC), agency, period ("2019-H1"), received date + its source,
            outcome, reason, stored path (relative to the workdir), plan_id.
- `entries` one row per report entry: file sha256, position, measure id, agency, period,
            status, progress text, link method, confidence, location, indicator value,
            review reason.

Idempotent by construction: `record` of a sha256 already present does nothing, also when
two workers race on the same bytes (the primary key decides, the loser is a no-op).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.model import Entry, Period, Plan, Report
from core.serialize import plan_from_json, plan_to_json

LEDGER_FILE = "ledger.sqlite"
SQL_IN_CHUNK = 500  # values per IN (...) query: far below SQLite's and PostgreSQL's limits
SQLITE_BUSY_TIMEOUT_S = 30  # concurrent Prefect tasks write one SQLite file: wait, don't fail

metadata = sa.MetaData()

plans_table = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("plan_id", sa.String(200), nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("source", sa.Text, nullable=False, default=""),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

files_table = sa.Table(
    "files",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("original_name", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("first_seen", sa.DateTime, nullable=False, index=True),
    sa.Column("agency", sa.String(100)),
    sa.Column("period", sa.String(10)),
    sa.Column("received_date", sa.Date),
    sa.Column("received_source", sa.String(20)),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    sa.Column("stored_path", sa.Text, nullable=False, default=""),
    sa.Column("plan_id", sa.String(200)),
)

entries_table = sa.Table(
    "entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("measure_id", sa.String(20)),
    sa.Column("agency", sa.String(100)),
    sa.Column("period", sa.String(10)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("progress_text", sa.Text, nullable=False, default=""),
    sa.Column("link_method", sa.String(20), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False, default=0.0),
    sa.Column("location", sa.Text, nullable=False, default=""),
    sa.Column("indicator_value", sa.Text, nullable=False, default=""),
    sa.Column("review_reason", sa.Text, nullable=False, default=""),
    sa.Index("ix_entries_file", "file_sha256", "position"),
)


class Ledger:
    """The report ledger over one database URL.

    Contract (other packages code against it):
    `Ledger(url)`, `Ledger.for_workdir(workdir)`, `save_plan(plan) -> bool`,
    `has_plan_sha(sha256) -> bool`, `plan_by_sha(sha256) -> Plan | None`,
    `plans() -> list[Plan]`, `has_file(sha256) -> bool`, `known_files(sha256s) -> set[str]`,
    `record(report) -> None`, `report(sha256) -> Report | None`, `reports() -> list[Report]`,
    `close()`. Also usable as a context manager.
    """

    def __init__(self, url: str) -> None:
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S} if url.startswith("sqlite") else {}
        self.url = url
        self.engine = sa.create_engine(url, connect_args=connect_args, future=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    @classmethod
    def for_workdir(cls, workdir: Path) -> Ledger:
        """The default ledger: SQLite at `WORKDIR/ledger.sqlite` (the folder is created)."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{(workdir / LEDGER_FILE).resolve()}")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plans

    def save_plan(self, plan: Plan) -> bool:
        """Store the whole (normalized) plan; False when its decree sha256 is already loaded."""
        if self.has_plan_sha(plan.sha256):
            return False
        row = {
            "plan_id": plan.plan_id,
            "sha256": plan.sha256,
            "title": plan.title,
            "source": plan.source,
            "loaded_at": _utc_naive(datetime.now(UTC)),
            "body": plan_to_json(plan),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(plans_table.insert().values(**row))
        except IntegrityError:  # loaded meanwhile by another worker
            return False
        return True

    def has_plan_sha(self, sha256: str) -> bool:
        query = sa.select(plans_table.c.id).where(plans_table.c.sha256 == sha256)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def plan_by_sha(self, sha256: str) -> Plan | None:
        """The plan read from the decree with these bytes (any version), None if never loaded."""
        query = sa.select(plans_table.c.body).where(plans_table.c.sha256 == sha256)
        with self.engine.connect() as conn:
            body = conn.execute(query.order_by(plans_table.c.id.desc())).scalar()
        return plan_from_json(body) if body is not None else None

    def plans(self) -> list[Plan]:
        """The latest loaded version of each plan_id, sorted by plan_id."""
        query = sa.select(plans_table.c.plan_id, plans_table.c.body).order_by(plans_table.c.id)
        latest: dict[str, str] = {}
        with self.engine.connect() as conn:
            for plan_id, body in conn.execute(query):
                latest[plan_id] = body
        return [plan_from_json(latest[k]) for k in sorted(latest)]

    # ------------------------------------------------------------------ files

    def has_file(self, sha256: str) -> bool:
        query = sa.select(files_table.c.sha256).where(files_table.c.sha256 == sha256)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def known_files(self, sha256s: Iterable[str]) -> set[str]:
        """Which of these sha256s the ledger has recorded: one query per chunk, not per file."""
        wanted, known = list(dict.fromkeys(sha256s)), set()
        column = files_table.c.sha256
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), SQL_IN_CHUNK):
                chunk = wanted[start : start + SQL_IN_CHUNK]
                known.update(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
        return known

    def record(self, report: Report) -> None:
        """The file row and all its entries in one transaction; a known sha256 is a no-op."""
        if not report.sha256:
            raise ValueError(f"{report.file}: cannot record a report without a sha256")
        period = str(report.period) if report.period else None
        rows = [
            _entry_row(report.sha256, i, e, report.agency, period)
            for i, e in enumerate(report.entries)
        ]
        try:
            with self.engine.begin() as conn:
                if conn.execute(
                    sa.select(files_table.c.sha256).where(files_table.c.sha256 == report.sha256)
                ).first():
                    return
                conn.execute(files_table.insert().values(**_file_row(report, period)))
                if rows:
                    conn.execute(entries_table.insert(), rows)
        except IntegrityError:
            if not self.has_file(report.sha256):  # a real constraint problem, not a race
                raise

    def report(self, sha256: str) -> Report | None:
        """The recorded Report for one sha256, or None."""
        found = self._reports(files_table.c.sha256 == sha256)
        return found[0] if found else None

    def reports(self) -> list[Report]:
        """Every file ever seen, with its entries, ordered by first seen (then name)."""
        return self._reports(None)

    def _reports(self, where: sa.ColumnElement[bool] | None) -> list[Report]:
        files_q = sa.select(files_table).order_by(
            files_table.c.first_seen, files_table.c.original_name, files_table.c.sha256
        )
        entries_q = sa.select(entries_table).order_by(
            entries_table.c.file_sha256, entries_table.c.position
        )
        if where is not None:
            files_q = files_q.where(where)
            entries_q = entries_q.where(
                entries_table.c.file_sha256.in_(sa.select(files_table.c.sha256).where(where))
            )
        with self.engine.connect() as conn:
            file_rows = conn.execute(files_q).mappings().all()
            entries: dict[str, list[Entry]] = {}
            for row in conn.execute(entries_q).mappings():
                entries.setdefault(row["file_sha256"], []).append(_row_entry(row))
        return [_row_report(row, tuple(entries.get(row["sha256"], ()))) for row in file_rows]


# ---------------------------------------------------------------------- row <-> model


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite only (engine set-up, not SQL the ledger relies on): write-ahead logging lets
    readers work while a worker writes, and one fsync per checkpoint instead of per commit
    keeps ingest fast; the database stays consistent after a crash."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _utc_naive(moment: datetime) -> datetime:
    """Store times as naive UTC: portable across SQLite (no time zones) and PostgreSQL."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _file_row(report: Report, period: str | None) -> dict:
    return {
        "sha256": report.sha256,
        "original_name": report.file,
        "size": report.size,
        "first_seen": _utc_naive(report.first_seen),
        "agency": report.agency,
        "period": period,
        "received_date": report.received_date,
        "received_source": str(report.received_source) if report.received_source else None,
        "outcome": str(report.outcome),
        "reason": report.reason,
        "stored_path": report.stored_path,
        "plan_id": report.plan_id,
    }


def _entry_row(sha256: str, position: int, e: Entry, agency: str | None, period: str | None):
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


def _row_entry(row: sa.RowMapping) -> Entry:
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


def _row_report(row: sa.RowMapping, entries: tuple[Entry, ...]) -> Report:
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
    )
