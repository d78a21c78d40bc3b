"""A cell's printed lines joined for good: the line-end hyphen rule and no-hyphen word
breaks undone on the evidence of the whole document (`extractors.hyphens`)."""

from __future__ import annotations

from dataclasses import replace

from core.text import clean_cell
from extractors.decree_pdf.model import Cell, PageContent
from extractors.hyphens import Vocabulary, join_lines

# A wrapped line whose right gap (beyond the left inset) is under this many letters of the
# next line is full: the typesetter had no room for the next letter (kerning and uneven
# insets make one letter too strict).
FULL_LINE_LETTERS = 1.0
SPACE_ONLY_PRODUCERS = ("ReportLab",)  # PDF producers that never break inside a word


def breaks_inside_words(producer: str) -> bool:
    """Does the program that made the PDF break lines after a hyphen inside a word (and
    inside a word too long for its column)? Word, LibreOffice and browsers do (Unicode line
    breaking); ReportLab wraps at spaces only, so its line-end `2-` had a space after it."""
    return not any(p.casefold() in producer.casefold() for p in SPACE_ONLY_PRODUCERS)


def rejoin_cells(pages: list[PageContent], inside_words: bool = True) -> list[PageContent]:
    """Each cell's lines joined for good: the hyphen rule, and LibreOffice's no-hyphen
    breaks of words too long for their column undone on the evidence of the whole document
    (`extractors.hyphens`); a producer that wraps at spaces only gets plain spaces."""
    vocab = Vocabulary()
    for cell in (cell for p in pages for r in p.rows for cell in r.cells):
        vocab.add(cell.lines or (cell.text,), cell.full or None)

    def fix(cell: Cell) -> Cell:
        if not cell.lines:
            return cell
        if not inside_words:
            return replace(cell, text=clean_cell(" ".join(cell.lines)))
        return replace(cell, text=clean_cell(join_lines(cell.lines, vocab, cell.full or None)))

    return [
        replace(p, rows=tuple(replace(r, cells=tuple(map(fix, r.cells))) for r in p.rows))
        for p in pages
    ]
