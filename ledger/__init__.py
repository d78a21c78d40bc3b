"""The ledger: every inbox file ever seen and every report entry, in SQLite or PostgreSQL."""

# Plain constants here, not in ledger.db: the CLI checks a workdir and shows --help defaults
# without importing SQLAlchemy.
LEDGER_FILE = "ledger.sqlite"
MAX_TRIES = 3  # reads of a file that keep failing before it stays `failed` (InboxSettings)
