"""Every report run is recorded, so the next one can say what changed.

`runs`: one row per `planwatch report` / nightly run: when, the as-of date, the plans it
covered, its headline counts and its compliance rows (JSON), read back by
`Ledger.previous_run`.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("as_of", sa.Date, nullable=False, index=True),
        sa.Column("plan_ids", sa.Text, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("rows", sa.Text, nullable=False),
    )
