"""What a PDF shows at each line end of a table cell: the space glyph a producer such as
LibreOffice writes where it broke at a space (`cells.line_ends`), whether a document's
producer writes them at all (`joining.marks_spaces`), and the joins that follow, inside a
cell (`joining.rejoin_cells`) and where a page break cuts a cell (`rows_to_logical_rows`)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from extractors.decree_pdf import (
    Cell,
    PageContent,
    PdfSettings,
    TableRow,
    rejoin_cells,
    rows_to_logical_rows,
)
from extractors.decree_pdf.cells import line_ends
from extractors.decree_pdf.joining import cut_joiner, document_vocabulary, marks_spaces

LETTER = 5.0  # pt: every glyph of the synthetic lines below
SPACE = 2.5


def _line(text: str, x0: float, top: float, trailing_space: bool) -> tuple[list, list]:
    """One printed line as pdfplumber words, and the space glyphs on it (between its words,
    and after its last word when `trailing_space`)."""
    words, spaces, x = [], [], x0
    for i, word in enumerate(text.split()):
        if i:
            spaces.append(_glyph(" ", x, top, SPACE))
            x += SPACE
        words.append({"text": word, "x0": x, "x1": x + LETTER * len(word), "top": top,
                      "bottom": top + 9})  # fmt: skip
        x += LETTER * len(word)
    if trailing_space:
        spaces.append(_glyph(" ", x, top, SPACE))
    return words, spaces


def _glyph(text: str, x0: float, top: float, width: float) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x0 + width, "top": top, "bottom": top + 9}


def test_a_space_glyph_where_one_fits_tells_the_break() -> None:
    right = 100.0  # the cell's text edge
    spec = [
        ("бир эки", True),  # broke at a space: its glyph is there
        ("үч-", False),  # broke after a hyphen: room for a space, none written
        ("торттөнбешалтыжетисегиз", False),  # no room left for a space: the page cannot say
        ("тогуз", False),  # the last line
    ]
    lines, spaces = [], []
    for i, (text, trailing) in enumerate(spec):
        words, glyphs = _line(text, 10.0, 20.0 + 12 * i, trailing)
        lines.append(words)
        spaces += glyphs
    lines[2][-1]["x1"] = right - 1.0  # fills the line
    assert line_ends(lines, spaces, right) == (True, False, None, False)


@given(st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=30))
def test_a_producer_marks_spaces_when_most_roomy_ends_carry_one(ends: list) -> None:
    cell = Cell(0, 100, "x", tuple("x" for _ in ends), (), (*ends, None))
    known = [e for e in ends if e is not None]
    assert marks_spaces([cell]) == (bool(known) and 2 * sum(known) >= len(known))


def _page(*cells: Cell) -> PageContent:
    return PageContent(1, (TableRow(1, cells),))


def test_marked_ends_join_as_the_page_says() -> None:
    lines = ("Айыл-", "чарба", "министрлиги", "жана", "суу", "ресурстары")
    cell = Cell(0, 100, "", lines, (False,) * 6, (False, True, True, False, None, False))
    (page,) = rejoin_cells([_page(cell)])
    # `Айыл-`+`чарба` with no space (a hyphen break), `жана`+`суу` glued (a cut word), `суу`
    # and `ресурстары` unknown: the rules (a plain break: a space)
    assert page.rows[0].cells[0].text == "Айыл-чарба министрлиги жанасуу ресурстары"


def test_unmarked_documents_keep_to_the_rules() -> None:
    # a producer that writes no line-end spaces: every roomy end is False, so none is trusted
    lines = ("жер", "астындагы", "байлыктар")
    cell = Cell(0, 100, "", lines, (False,) * 3, (False, False, False))
    (page,) = rejoin_cells([_page(cell)])
    assert page.rows[0].cells[0].text == "жер астындагы байлыктар"
    assert page.rows[0].cells[0].ends == ()


XS = [(40.0 + 80 * i, 120.0 + 80 * i) for i in range(5)]
HEADER = ("№", "Иш-чаралар", "Аткаруу мөөнөтү", "Жооптуу аткаруучулар", "Каржылоо булактары")


def _row(page: int, texts: tuple[str, ...], last_ends: dict[int, bool | None]) -> TableRow:
    cells = []
    for i, ((x0, x1), text) in enumerate(zip(XS, texts, strict=True)):
        lines = tuple(text.split("|")) if "|" in text else ()
        ends = (*(True,) * (len(lines) - 1), last_ends[i]) if i in last_ends else ()
        full = (False,) * max(len(lines), 1) if i in last_ends else ()
        cells.append(Cell(x0, x1, " ".join(text.split("|")), lines, full, ends))
    return TableRow(page, tuple(cells))


def _stitched(end: bool | None) -> str:
    rows = [
        TableRow(1, tuple(Cell(x0, x1, h) for (x0, x1), h in zip(XS, HEADER, strict=True))),
        _row(1, ("1", "1.1. Мектеп|куруу", "2024", "БИМ", "Жергиликтүү"), {4: end}),
        _row(2, ("", "", "", "", "бюджет"), {}),
    ]
    pages = [PageContent(1, tuple(rows[:2])), PageContent(2, (rows[2],))]
    vocab = document_vocabulary(pages)
    table = rows_to_logical_rows(
        (r for p in pages for r in p.rows), "d.pdf", PdfSettings(), cut_joiner(vocab)
    )
    return table.rows[0].cells["funding"]


def test_a_cell_cut_by_a_page_break_joins_as_its_last_line_ends() -> None:
    assert _stitched(True) == "Жергиликтүү бюджет"
    assert _stitched(False) == "Жергиликтүүбюджет"  # the page says: nothing between
    assert _stitched(None) == "Жергиликтүү бюджет"  # unknown: the rules
