"""extractors.ocr: the pure stages on synthetic pages, and Tesseract on small real renders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors import ocr
from extractors.ocr import OcrSettings, Word

FONT = Path(__file__).parent / "fixtures" / "fonts" / "DejaVuSans.ttf"
needs_tesseract = pytest.mark.skipif(
    not ocr.tesseract_available(),
    reason="tesseract with kir+rus data is not installed: "
    "apt-get install tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus (make setup does it)",
)


def _word(text, left, top, width=40, height=20, conf=0.9, line=1, block=1, par=1):
    return Word(text, left, top, width, height, conf, block, par, line)


# --------------------------------------------------------------------------- settings, TSV


def test_settings_validate_and_resolve():
    assert OcrSettings.resolve(None) == OcrSettings()
    assert OcrSettings.resolve({"psm": 6}).psm == 6
    assert OcrSettings().langs == "kir+rus" and OcrSettings().config == "--psm 4"
    for bad in ({"dpi": 20}, {"psm": 14}, {"min_confidence": 1.5}, {"langs": "rus kir"}):
        with pytest.raises(ValueError):
            OcrSettings(**bad)


def test_tsv_to_words_keeps_word_rows_with_text():
    data = {
        "level": [1, 5, 5, 5],
        "text": ["", "Чара", "  ", "1.1"],
        "left": [0, 10, 50, 90],
        "top": [0, 5, 5, 6],
        "width": [500, 30, 5, 20],
        "height": [500, 12, 12, 12],
        "conf": [-1, 91.5, -1, -1],
        "block_num": [0, 1, 1, 1],
        "par_num": [0, 1, 1, 1],
        "line_num": [0, 2, 2, 2],
    }
    words = ocr.tsv_to_words(data)
    assert [w.text for w in words] == ["Чара", "1.1"]
    assert words[0].confidence == pytest.approx(0.915) and words[1].confidence == 0.0
    assert (words[0].right, words[0].bottom, words[0].line) == (40, 17, 2)


def test_words_to_lines_splits_wide_gaps_and_sorts_top_down():
    words = [
        _word("төмөн", 10, 100, line=2),
        _word("1.1", 10, 10),
        _word("Иш", 60, 10),
        _word("аткарылды", 600, 12),  # far right: another column
    ]
    lines = ocr.words_to_lines(words)
    assert [ln.text for ln in lines] == ["1.1 Иш", "аткарылды", "төмөн"]


def test_words_confidence_weights_by_length():
    words = [_word("аткарылды", 0, 0, conf=0.9), _word("1", 0, 0, conf=0.1)]
    assert ocr.words_confidence(words) == pytest.approx((0.9 * 9 + 0.1) / 10)
    assert ocr.words_confidence([]) == 1.0


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("1:1", "1.1"),
        ("З", "3"),
        ("11.1", "11.1"),
        ("2, 3", "2.3"),
        ("Эт", "Эт"),
        ("ОО", "ОО"),
        ("Ме", "№"),
        ("Мен", "Мен"),
    ],
)
def test_repair_number(raw, fixed):
    assert ocr.repair_number(raw) == fixed


# --------------------------------------------------------------------------- geometry


def _grid_page(skew: float = 0.0) -> np.ndarray:
    """A 200 dpi page: a ruled 3x3 table whose first row is one merged cell, and running
    text under it."""
    image = Image.new("L", (1650, 2200), 255)
    draw = ImageDraw.Draw(image)
    xs, ys = (100, 300, 700, 1100), (100, 200, 400, 600)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        draw.line((x, ys[1], x, ys[-1]), fill=0, width=3)
    for x in (xs[0], xs[-1]):
        draw.line((x, ys[0], x, ys[1]), fill=0, width=3)
    font = ImageFont.truetype(str(FONT), 28)
    for i in range(12):  # running text under the table
        draw.text(
            (100, 700 + i * 50), "Иш-аракеттердин улуттук планынын аткарылышы " * 2, font=font
        )
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return np.asarray(image)


def test_find_ruling_lines_and_merged_cells():
    rulings = ocr.find_ruling_lines(_grid_page())
    assert rulings.is_table
    assert [round(y / 10) for y in rulings.horizontal] == [10, 20, 40, 60]
    assert [round(x / 10) for x in rulings.vertical] == [10, 30, 70, 110]
    words = [
        _word("Отчет", 500, 140),  # merged title row
        _word("1.1", 150, 250),
        _word("Изилдөө", 320, 250),
        _word("жүргүзүлдү", 320, 290, line=2),
        _word("аткарылды", 750, 250),
        _word("2.1", 150, 450),
        _word("сыртта", 200, 720),  # outside the table: ignored
    ]
    table = ocr.words_to_table(words, rulings)
    assert table.texts == (
        ("Отчет", "", ""),
        ("1.1", "Изилдөө жүргүзүлдү", "аткарылды"),
        ("2.1", "", ""),
    )
    assert table.is_spanning(0) and not table.is_spanning(1)
    assert table.cells[0][0].span == (1, 3) and table.cells[0][1].span == (0, 0)
    assert table.cells[1][2].box is not None


def test_positional_table_without_rulings():
    words = [
        _word("1.1", 10, 10),
        _word("Изилдөө", 300, 10),
        _word("аткарылды", 700, 10),
        _word("жүргүзүлдү", 300, 40, line=2),  # continues the row: first column empty
        _word("2.1", 10, 80, line=3),
        _word("Тренинг", 300, 80, line=3),
        _word("аткарылууда", 700, 80, line=3),
    ]
    table = ocr.words_to_table(words)
    assert table.texts == (
        ("1.1", "Изилдөө жүргүзүлдү", "аткарылды"),
        ("2.1", "Тренинг", "аткарылууда"),
    )


@pytest.mark.parametrize("skew", [2.0, -1.5])
def test_skew_angle_and_deskew(skew):
    page = _grid_page(skew)
    assert ocr.skew_angle(page) == pytest.approx(skew, abs=0.3)
    level, removed = ocr.deskew(page)
    assert removed == pytest.approx(skew, abs=0.3)
    assert abs(ocr.skew_angle(level)) <= 0.3


def test_text_is_vertical():
    page = _grid_page()
    assert not ocr.text_is_vertical(page)
    assert ocr.text_is_vertical(ocr.rotate_quarter(page, 90))


# --------------------------------------------------------------------------- Tesseract


def _text_image(lines: list[str], size: int = 34) -> Image.Image:
    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (1500, 60 + len(lines) * size * 2), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * size * 2), line, font=font, fill=0)
    return image


@pytest.mark.ocr
@needs_tesseract
def test_image_to_words_reads_kyrgyz_letters():
    words = ocr.image_to_words(_text_image(["Эмгек жана социалдык өнүгүү министрлиги теңчилик"]))
    text = " ".join(w.text for w in words)
    assert "өнүгүү" in text and "теңчилик" in text  # "rus+kir" reads енугуу, тенчилик
    assert all(0.0 <= w.confidence <= 1.0 for w in words)


@pytest.mark.ocr
@needs_tesseract
def test_read_page_ruled_table_sideways():
    """A small ruled table turned 90 degrees: upright again, short numbers read per cell."""
    font = ImageFont.truetype(str(FONT), 30)
    image = Image.new("L", (1400, 700), 255)
    draw = ImageDraw.Draw(image)
    draw.text((100, 40), "Билим берүү жана илим министрлиги", font=font, fill=0)
    xs, ys = (100, 220, 1000, 1300), (150, 250, 350, 450)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=0, width=3)
    rows = [("1.1", "Изилдөө жүргүзүлдү", "аткарылды"), ("3.1", "Тренинг өткөрүлдү", "жок")]
    for r, row in enumerate(rows, 1):
        for c, text in enumerate(row):
            draw.text((xs[c] + 12, ys[r] + 30), text, font=font, fill=0)
    page = ocr.read_page(image.rotate(90, expand=True), source_dpi=300)
    assert page.rotation == 270
    assert page.table is not None
    texts = page.table.texts
    assert [row[0] for row in texts[1:3]] == ["1.1", "3.1"]
    assert texts[1][2] == "аткарылды"
    assert "министрлиги" in " ".join(line.text for line in page.lines)


# --------------------------------------------------------------------------- line-end hyphens


def test_a_cells_lines_join_by_the_hyphen_rule():
    """`үй-` / `бүлөлүк` joins with no space; a free-standing dash and a plain break keep one."""
    cases = [  # a cell's printed lines, each a list of words
        ([["үй-"], ["бүлөлүк", "зомбулук"]], "үй-бүлөлүк зомбулук"),
        ([["2018-2020-"], ["жылдар"]], "2018-2020-жылдар"),
        ([["баалоо", "-"], ["министрлик"]], "баалоо - министрлик"),
        ([["баалоо"], ["-"], ["министрлик"]], "баалоо - министрлик"),
        ([["маалымат"], ["даярдалды"]], "маалымат даярдалды"),
    ]
    for lines, want in cases:
        words = [
            _word(text, 100 + 50 * j, 100 + 40 * i, line=i + 1)
            for i, line in enumerate(lines)
            for j, text in enumerate(line)
        ]
        assert ocr.words_to_text(words) == want


@pytest.mark.ocr
@needs_tesseract
def test_ocr_cells_wrapped_after_a_hyphen_join_without_a_space():
    from tests.fixtures.wrapped_cells import WRAPPED_CELLS, wrapped_table_image

    page = ocr.read_page(wrapped_table_image(), source_dpi=300)
    assert page.table is not None
    got = [row[1] for row in page.table.texts]
    assert got == [want for _, want in WRAPPED_CELLS]  # before: `үй- бүлөлүк`, 2 of 5 exact


@pytest.mark.ocr
@needs_tesseract
def test_ocr_cells_broken_inside_a_word_rejoin_on_the_documents_evidence():
    from extractors.decree_ocr import page_to_content
    from extractors.decree_pdf.joining import rejoin_cells
    from tests.fixtures.wrapped_cells import BROKEN_INSIDE_WORDS, wrapped_table_image

    page = ocr.read_page(wrapped_table_image(BROKEN_INSIDE_WORDS), source_dpi=300)
    assert page.table is not None
    alone = [row[1] for row in page.table.texts]  # each cell on its own: a space
    assert alone[0] == "Экотехинспекци я жана ИИМ"
    content = page_to_content(page, 1, dpi=300)
    joined = rejoin_cells([content])[0]
    got = [row.cells[1].text for row in joined.rows]
    assert got == [want for _, want in BROKEN_INSIDE_WORDS]
