"""The ledger: every inbox file ever seen and every report entry, in SQLite or PostgreSQL."""
