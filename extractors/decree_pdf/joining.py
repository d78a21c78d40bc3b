"""A cell's printed lines joined for good: the line-end hyphen rule and no-hyphen word
breaks undone on the evidence of the whole document (`extractors.hyphens`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from core.text import clean_cell
from extractors.decree_pdf.model import Cell, PageContent
from extractors.decree_pdf.rows import plain_join
from extractors.hyphens import Vocabulary, join_lines, join_two

# A wrapped line whose right gap (beyond the left inset) is under this many letters of the
# next line is full: the typesetter had no room for the next letter (kerning and uneven
# insets make one letter too strict).
FULL_LINE_LETTERS = 1.0
SPACE_ONLY_PRODUCERS = ("ReportLab",)  # PDF producers that never break inside a word
# A document whose wrapped lines end with a space glyph at least this often is from a
# producer that writes the space a line broke at (LibreOffice): there a missing space is a
# break inside a word. Breaks at spaces far outnumber those inside words in any prose.
MARKED_SPACES_SHARE = 0.5


def breaks_inside_words(producer: str) -> bool:
    """Does the program that made the PDF break lines after a hyphen inside a word (and
    inside a word too long for its column)? Word, LibreOffice and browsers do (Unicode line
    breaking); ReportLab wraps at spaces only, so its line-end `2-` had a space after it."""
    return not any(p.casefold() in producer.casefold() for p in SPACE_ONLY_PRODUCERS)


def document_vocabulary(pages: list[PageContent]) -> Vocabulary:
    """The words of every cell of the document (`extractors.hyphens.Vocabulary`)."""
    vocab = Vocabulary()
    for cell in (cell for p in pages for r in p.rows for cell in r.cells):
        vocab.add(cell.lines or (cell.text,), cell.full or None)
    return vocab


def cut_joiner(vocab: Vocabulary | None) -> Callable[[str, str, bool], str]:
    """How the two pieces of a cell cut by a page break join where the page does not say:
    the line-end rules with the document's words (`join_two`); without `vocab` (a producer
    that wraps at spaces only), with a space."""
    if vocab is None:
        return plain_join
    return lambda left, right, alone: join_two(left, right, vocab, alone)


def rejoin_cells(
    pages: list[PageContent], inside_words: bool = True, vocab: Vocabulary | None = None
) -> list[PageContent]:
    """Each cell's lines joined for good. Where the producer writes the space a line broke
    at (`marks_spaces`), that glyph says what the source had at each break: a space, or
    nothing (a break after a hyphen or inside a word too long for its column). Elsewhere the
    hyphen rule, and no-hyphen breaks undone on the evidence of the whole document
    (`extractors.hyphens`); a producer that wraps at spaces only gets plain spaces."""
    marked = marks_spaces([cell for p in pages for r in p.rows for cell in r.cells])
    vocab = vocab or document_vocabulary(pages)

    def fix(cell: Cell) -> Cell:
        if not cell.lines:
            return replace(cell, ends=cell.ends if marked and inside_words else ())
        if not inside_words:
            return replace(cell, text=clean_cell(" ".join(cell.lines)), ends=())
        if not marked:
            text = join_lines(cell.lines, vocab, cell.full or None)
            return replace(cell, text=clean_cell(text), ends=())
        text = join_lines(cell.lines, vocab, cell.full or None, cell.ends)
        return replace(cell, text=clean_cell(text))

    return [
        replace(p, rows=tuple(replace(r, cells=tuple(map(fix, r.cells))) for r in p.rows))
        for p in pages
    ]


def marks_spaces(cells: list[Cell]) -> bool:
    """Does the producer write the space glyph a line broke at? Yes when most wrapped lines
    of the document that had room for one end with one (`MARKED_SPACES_SHARE`)."""
    ends = [end for cell in cells for end in cell.ends[:-1] if end is not None]
    return bool(ends) and sum(ends) >= MARKED_SPACES_SHARE * len(ends)
