"""Rows of cell strings → a `Table`: trailing empty cells trimmed, empty rows skipped,
each kept row located by its 1-based number in the source (CSV line, sheet row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.model import Table


def rows_to_table(rows: Iterable[Sequence[str]], location: str, row_prefix: str) -> Table:
    kept: list[tuple[str, ...]] = []
    locations: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = list(row)
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            kept.append(tuple(cells))
            locations.append(f"{row_prefix}{number}")
    return Table(rows=tuple(kept), location=location, row_locations=tuple(locations))
