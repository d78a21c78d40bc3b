"""The ledger's tables as SQLAlchemy Core objects, for queries.

The schema itself is made and changed only by the Alembic revisions in
`ledger/migrations/versions/`; a test checks these objects against the migrated database.
"""

from __future__ import annotations

import sqlalchemy as sa

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
    sa.Column("tries", sa.Integer, nullable=False, default=0, server_default="0"),
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


sightings_table = sa.Table(
    "sightings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("raw_name", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime", sa.DateTime),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.UniqueConstraint("sha256", "name", name="uq_sightings_sha256_name"),
)

runs_table = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("as_of", sa.Date, nullable=False, index=True),
    sa.Column("plan_ids", sa.Text, nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
    sa.Column("rows", sa.Text, nullable=False),
)
