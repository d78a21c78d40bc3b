"""Alembic environment for the ledger: always run in-process on a connection planwatch hands
over (`ledger.schema.upgrade`), never from an alembic.ini with a URL of its own."""

from alembic import context

connection = context.config.attributes["connection"]
# Batch mode: SQLite cannot ALTER most things in place; Alembic copies the table instead.
context.configure(connection=connection, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
