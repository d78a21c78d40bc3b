"""The ledger's schema is Alembic's: `upgrade(engine)` brings any ledger to the newest
revision in place, and is what `Ledger(url)` calls on open.

- A fresh database gets every revision in order.
- A ledger written by release 0.1 (tables, no `alembic_version`) is stamped at 0001 first.
- Two processes opening one fresh ledger at once do not race: SQLite migrates under an
  exclusive file lock beside the database, PostgreSQL under a transaction-scoped advisory
  lock, and each re-checks the revision once it holds the lock.
- A ledger already at the head costs one small query, no Alembic machinery.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from core.once import once

MIGRATIONS = Path(__file__).with_name("migrations")
RELEASE_0_1 = "0001"
PG_LOCK_KEY = 0x706C_616E  # "plan": one advisory lock id for ledger migrations


@once
def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current(conn: sa.Connection) -> str | None:
    """The ledger's revision; None for an empty database or a release-0.1 ledger."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: sa.Engine) -> None:
    """Bring the ledger behind `engine` to the newest revision (no-op when it is there)."""
    with engine.connect() as conn:
        if current(conn) == head():
            return
    with _exclusive(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
        revision = current(conn)
        if revision == head():
            return
        _run(conn, revision)


def _run(conn: sa.Connection, revision: str | None) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    if revision is None and sa.inspect(conn).has_table("files"):
        command.stamp(config, RELEASE_0_1)  # written by release 0.1, before migrations
    command.upgrade(config, "head")


@contextmanager
def _exclusive(engine: sa.Engine) -> Iterator[None]:
    """An exclusive lock on `<database>.migrate.lock` for SQLite files; nothing otherwise."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.migrate.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
