"""Compliance rules (pure) and their presentations: datasets and Excel workbooks."""
