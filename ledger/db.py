"""The ledger: every plan loaded, every inbox file ever seen with its entries, every name it
was seen under, and every report run.

SQLAlchemy Core 2.x only, portable SQL only: `Ledger("sqlite:///work/ledger.sqlite")` by
default, `Ledger("postgresql+psycopg://user@host/db")` unchanged. The schema is Alembic's
(`ledger/migrations`): opening a ledger upgrades it in place (`ledger.schema.upgrade`).
Tables (`ledger/tables.py`):

- `plans`     one row per decree version: plan_id, the decree's sha256 (unique), title,
              source, loaded_at and the whole normalized Plan as JSON (`core.serialize`).
- `files`     one row per distinct file content (sha256 primary key): original name, size,
              first seen (naive UTC), agency, period ("2019-H1"), received date + its source,
              outcome, reason, stored path (relative to the workdir), plan_id, tries.
- `entries`   one row per report entry: file sha256, position, measure id, agency, period,
              status, progress text, link method, confidence, location, indicator value,
              review reason.
- `sightings` one row per (sha256, name) the inbox showed: the audit of every file name.
- `runs`      one row per report run: as-of, when, plans, counts and rows (JSON).

Idempotent by construction: `record` of a sha256 already present does nothing, also when
two workers race on the same bytes (the primary key decides, the loser is a no-op) — except
over a `failed` record, which a new reading replaces (a bug is not a verdict).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.model import Entry, Outcome, Plan, Report, RunRecord, Sighting
from core.serialize import plan_from_json, plan_to_json
from ledger import LEDGER_FILE, MAX_TRIES
from ledger import rows as R
from ledger.schema import upgrade
from ledger.tables import entries_table, files_table, plans_table, runs_table, sightings_table

SQL_IN_CHUNK = 500  # values per IN (...) query: far below SQLite's and PostgreSQL's limits
SQLITE_BUSY_TIMEOUT_S = 30  # concurrent Prefect tasks write one SQLite file: wait, don't fail


class Ledger:
    """The report ledger over one database URL.

    Contract (other packages code against it):
    `Ledger(url)`, `Ledger.for_workdir(workdir)`, `save_plan(plan) -> bool`,
    `has_plan_sha(sha256) -> bool`, `plan_by_sha(sha256) -> Plan | None`,
    `plans() -> list[Plan]`, `has_file(sha256) -> bool`, `known_files(sha256s) -> set[str]`,
    `record(report) -> None`, `report(sha256) -> Report | None`, `reports() -> list[Report]`,
    `see(sighting) -> None`, `sightings() -> list[Sighting]`,
    `record_run(plan_ids, as_of, counts, rows) -> int`, `previous_run(before) -> RunRecord | None`,
    `runs() -> list[RunRecord]`, `close()`. Also usable as a context manager.
    """

    def __init__(self, url: str) -> None:
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S} if url.startswith("sqlite") else {}
        self.url = url
        self.engine = sa.create_engine(url, connect_args=connect_args, future=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", R.sqlite_pragmas)
        upgrade(self.engine)

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
            "loaded_at": R.utc_naive(datetime.now(UTC)),
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

    def known_files(self, sha256s: Iterable[str], max_tries: int = MAX_TRIES) -> set[str]:
        """Which of these sha256s have a final record (one query per chunk, not per file):
        a `failed` file with fewer than `max_tries` tries is not final, it is read again."""
        wanted, known = list(dict.fromkeys(sha256s)), set()
        f = files_table.c
        final = sa.or_(f.outcome != Outcome.FAILED.value, f.tries >= max_tries)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), SQL_IN_CHUNK):
                chunk = wanted[start : start + SQL_IN_CHUNK]
                query = sa.select(f.sha256).where(f.sha256.in_(chunk), final)
                known.update(conn.execute(query).scalars())
        return known

    def record(self, report: Report) -> None:
        """The file row and all its entries in one transaction. A known sha256 is a no-op,
        unless its record is `failed`: then this reading replaces it (and a new failure
        counts one more try)."""
        if not report.sha256:
            raise ValueError(f"{report.file}: cannot record a report without a sha256")
        period = str(report.period) if report.period else None
        entry_rows = [
            R.entry_row(report.sha256, i, e, report.agency, period)
            for i, e in enumerate(report.entries)
        ]
        failed = report.outcome == Outcome.FAILED
        try:
            with self.engine.begin() as conn:
                before = self._outcome_and_tries(conn, report.sha256)
                if before is not None and before[0] != Outcome.FAILED:
                    return
                tries = (before[1] if before else 0) + (1 if failed else 0)
                row = R.file_row(report, period) | {"tries": tries}
                if before is None:
                    conn.execute(files_table.insert().values(**row))
                else:
                    self._forget_reading(conn, report.sha256)
                    row.pop("first_seen")  # the file was first seen then, not now
                    conn.execute(
                        files_table.update().where(files_table.c.sha256 == report.sha256),
                        row,
                    )
                if entry_rows:
                    conn.execute(entries_table.insert(), entry_rows)
        except IntegrityError:
            if not self.has_file(report.sha256):  # a real constraint problem, not a race
                raise

    @staticmethod
    def _outcome_and_tries(conn: sa.Connection, sha256: str) -> tuple[str, int] | None:
        f = files_table.c
        row = conn.execute(sa.select(f.outcome, f.tries).where(f.sha256 == sha256)).first()
        return (row[0], row[1]) if row else None

    @staticmethod
    def _forget_reading(conn: sa.Connection, sha256: str) -> None:
        conn.execute(entries_table.delete().where(entries_table.c.file_sha256 == sha256))

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
                entries.setdefault(row["file_sha256"], []).append(R.row_entry(row))
        return [R.row_report(row, tuple(entries.get(row["sha256"], ()))) for row in file_rows]

    # ------------------------------------------------------------------ sightings

    def see(self, sighting: Sighting) -> None:
        """Remember that the inbox showed these bytes under this name (first sight kept)."""
        try:
            if not self._has_sighting(sighting):
                with self.engine.begin() as conn:
                    conn.execute(sightings_table.insert().values(**R.sighting_row(sighting)))
        except IntegrityError:
            if not self._has_sighting(sighting):  # a real constraint problem, not a race
                raise

    def _has_sighting(self, sighting: Sighting) -> bool:
        s = sightings_table.c
        query = sa.select(s.id).where(s.sha256 == sighting.sha256, s.name == sighting.name)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def sightings(self) -> list[Sighting]:
        """Every (bytes, name) pair ever seen, ordered by first sight (then name)."""
        s = sightings_table.c
        query = sa.select(sightings_table).order_by(s.first_seen, s.id)
        with self.engine.connect() as conn:
            return [R.row_sighting(row) for row in conn.execute(query).mappings()]

    # ------------------------------------------------------------------ runs

    def record_run(self, plan_ids: list[str], as_of: date, counts: dict, rows: list[dict]) -> int:
        """Record one report run (its headline counts and compliance rows); its run id."""
        with self.engine.begin() as conn:
            result = conn.execute(
                runs_table.insert().values(**R.run_row(plan_ids, as_of, counts, rows))
            )
            return int(result.inserted_primary_key[0])

    def previous_run(self, before: int | date | None = None) -> RunRecord | None:
        """The latest run recorded before run id `before` (an int), or with an as-of date
        on or before `before` (a date), or the latest of all (None)."""
        r = runs_table.c
        query = sa.select(runs_table).order_by(r.id.desc()).limit(1)
        if isinstance(before, int):
            query = query.where(r.id < before)
        elif isinstance(before, date):
            query = query.where(r.as_of <= before)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return R.row_run(row) if row else None

    def runs(self) -> list[RunRecord]:
        """Every recorded run, oldest first."""
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(runs_table).order_by(runs_table.c.id)).mappings()
            return [R.row_run(row) for row in found]
