"""A bug is not a verdict; every file name is in the audit.

- `files.tries`: how many times reading these bytes failed (outcome `failed`); a failed file
  is read again on the next run until it has failed `InboxSettings.max_tries` times.
- Release 0.1 recorded a reader crash as a rejection ("unexpected error: …"), for good.
  Those rows become `failed` with no tries counted, so the next run reads them again.
- `sightings`: one row per (sha256, name) the inbox ever showed, with size, mtime and when
  it was first seen: a second name for the same bytes is kept, not folded away.
  Back-filled with each recorded file's own name.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UNEXPECTED = "unexpected error: %"


def upgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("tries", sa.Integer, nullable=False, server_default="0"))
    files = sa.table(
        "files",
        sa.column("sha256", sa.String),
        sa.column("original_name", sa.Text),
        sa.column("size", sa.BigInteger),
        sa.column("first_seen", sa.DateTime),
        sa.column("outcome", sa.String),
        sa.column("reason", sa.Text),
    )
    op.execute(
        files.update()
        .where(files.c.outcome == "rejected", files.c.reason.like(UNEXPECTED))
        .values(outcome="failed", reason="release 0.1 recorded a reader crash: " + files.c.reason)
    )
    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("raw_name", sa.Text, nullable=False, server_default=""),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime", sa.DateTime),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.UniqueConstraint("sha256", "name", name="uq_sightings_sha256_name"),
    )
    op.execute(
        sa.text(
            "INSERT INTO sightings (sha256, name, raw_name, size, mtime, first_seen) "
            "SELECT sha256, original_name, '', size, NULL, first_seen FROM files"
        )
    )
