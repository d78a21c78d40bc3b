"""The ledger as release 0.1 created it: plans, files, entries.

A ledger written by 0.1 has these tables and no alembic_version: it is stamped at this
revision and upgraded from here (`ledger.schema.upgrade`).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(200), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False, index=True),
        sa.Column("agency", sa.String(100)),
        sa.Column("period", sa.String(10)),
        sa.Column("received_date", sa.Date),
        sa.Column("received_source", sa.String(20)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("stored_path", sa.Text, nullable=False),
        sa.Column("plan_id", sa.String(200)),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("measure_id", sa.String(20)),
        sa.Column("agency", sa.String(100)),
        sa.Column("period", sa.String(10)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_text", sa.Text, nullable=False),
        sa.Column("link_method", sa.String(20), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("indicator_value", sa.Text, nullable=False),
        sa.Column("review_reason", sa.Text, nullable=False),
        sa.Index("ix_entries_file", "file_sha256", "position"),
    )
