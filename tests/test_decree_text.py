"""The converter-text reader on the seed decree and on small damaged variants of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import UnreadableDecree
from core.model import PLAN_COLUMNS
from extractors.decree_text import (
    clean_fragment,
    find_header,
    find_table_end,
    line_to_fragments,
    read_decree_text,
    text_to_decree,
)
from tests.fixtures.decree_pdf import HEADERS

SEED = (
    Path(__file__).parent.parent
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)
RU_HEADER = "\t".join(HEADERS["ru"])


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def decree():
    return read_decree_text(SEED)


def measure_rows(decree):
    return [r for r in decree.rows if not r.spanning]


def row(decree, measure_id: str):
    pattern = re.compile(rf"^{re.escape(measure_id)}(?!\d)")
    return next(r for r in measure_rows(decree) if pattern.match(r.cells["text"]))


def test_seed_rows_sections_and_title(decree):
    assert len(measure_rows(decree)) == 117
    assert sum(r.spanning for r in decree.rows) == 5 + 13
    assert decree.title == (
        "2018-2020-жылдарга Кыргыз Республикасында гендердик теңчиликке жетишүү боюнча "
        "иш-аракеттердин УЛУТТУК ПЛАНЫ"
    )
    assert len(decree.sha256) == 64
    assert decree.unassigned == []


def test_every_fragment_of_the_table_lands_in_a_row_of_its_line(decree, seed_text):
    lines = seed_text.splitlines()
    header, _ = find_header(lines)
    end = find_table_end(lines, header + 1)
    placed: dict[int, str] = {}
    for r in decree.rows:
        for column, prov in r.provenance.items():
            for n in prov.lines:
                placed[n] = placed.get(n, "") + " " + r.cells[column]
    checked = 0
    for i in range(header + 1, end):
        line = line_to_fragments(i + 1, lines[i])
        for f in line.fragments if line else ():
            for block in f.blocks or (f.text,):
                assert block in placed.get(i + 1, ""), f"line {i + 1}: {block!r} not placed"
                checked += 1
    assert checked > 900


def test_continuation_lines_find_their_columns(decree):
    # L99 lost its leading cell: its fragment sits under "measures" but continues the baseline
    assert (
        row(decree, "1.1")
        .cells["baseline"]
        .endswith("уюмдарындагы зарыл болгон кошумча орундардын саны жөнүндө маалыматтар жок")
    )
    # L193 lost two cells: the pieces continue the indicator, the result and the funding
    r162 = row(decree, "16.2")
    assert r162.cells["baseline"] == ""
    assert r162.cells["indicator"].endswith("иштөөсү үчүн эскертме")
    assert r162.cells["funding"].endswith("уюмдардын каражат тары")
    # L168: one line, two shifts — task text in place, responsible/funding one cell left
    r131 = row(decree, "13.1")
    assert r131.cells["responsible"].endswith("ЭСӨМ БУУӨП (макулдашуу боюнча)")
    assert r131.cells["funding"].endswith("чегинде, эл аралык уюмдардын каражаттары")
    # L111: a lone funding fragment although the start line had no funding
    assert row(decree, "3.2").cells["funding"] == "каралган каражаттардын чегинде"
    assert row(decree, "3.2").cells["responsible"] == ""
    # L337: "жыйынында каралды" ends the expected result, not the deadline
    assert row(decree, "34.3").cells["deadline"] == "2019-жыл"
    assert row(decree, "34.3").cells["expected_result"].endswith("кеңештин жыйынында каралды")


def test_start_line_with_a_lost_inner_cell(decree):
    # L271: baseline cell lost, an empty cell added later: indicator and deadline sit left
    r = row(decree, "26.2")
    assert (r.cells["baseline"], r.cells["deadline"]) == ("", "2018-2020-жылдар")
    assert r.cells["indicator"].endswith("билим берүү уюмдарынын саны")


def test_merged_paragraph_blocks_split_between_two_rows(decree):
    # L183 holds the tail of 15.1 and the start of 15.2 in the same cells, as <p> blocks
    r151, r152 = row(decree, "15.1"), row(decree, "15.2")
    assert r151.cells["baseline"].endswith(
        "Ички иштер министрлигиндеги кадр саясатын гендердик талдоонун практикасы"
    )
    assert r152.cells["baseline"].startswith("ЧУА иштеп чыгуу")
    assert r151.cells["expected_result"].endswith(
        "зомбулук үчүн жазык жоопкерчилиги үчүн сунуштар иштелип чыкты"
    )
    assert r152.cells["expected_result"] == "Ведомстволор аралык жумушчу топ түзүлдү"
    assert r152.provenance["baseline"].lines == (183,)
    assert r151.provenance["baseline"].lines == (180, 183)


def test_task_number_and_text_arriving_on_a_continuation_line(decree):
    r = row(decree, "16.1")
    assert r.cells["task_no"] == "1 6"
    assert r.cells["task_text"].startswith("Ички иштер органдары жана сот органдары тарабынан")
    assert r.provenance["task_no"].lines == (190,)


def test_markup_is_stripped_without_splitting_words():
    assert clean_fragment('Жазык <a href="#">кодексине</a>, Кыргыз') == "Жазык кодексине, Кыргыз"
    assert clean_fragment("<p>2019-жыл</p>") == "2019-жыл"
    assert line_to_fragments(5, "---\t---\t--") is None
    assert line_to_fragments(6, "### 3-глава. Басмырлоо").fragments[0].text == "3-глава. Басмырлоо"


def test_russian_header_reads_the_same_rows(seed_text, decree):
    lines = seed_text.splitlines()
    header, _ = find_header(lines)
    lines[header] = RU_HEADER
    ru = text_to_decree("\n".join(lines), "ru.txt")
    assert [r.cells for r in ru.rows] == [r.cells for r in decree.rows]


def test_columns_are_found_by_header_words_not_position(seed_text):
    lines = seed_text.splitlines()
    header, mapping = find_header(lines)
    assert [mapping[i] for i in sorted(mapping)] == list(PLAN_COLUMNS)
    assert header + 1 == 94


def test_text_without_a_plan_table_is_unreadable(seed_text):
    prose = "\n".join(seed_text.splitlines()[:90])
    with pytest.raises(UnreadableDecree, match="no plan table"):
        text_to_decree(prose, "prose.txt")
    header_only = "\n".join(seed_text.splitlines()[:94])
    with pytest.raises(UnreadableDecree, match="no numbered measures"):
        text_to_decree(header_only, "header.txt")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02\x03" * 100, "binary content"),
        (b"\xff\xfe\x00\x00garbage" * 50, "binary content"),
        ("Бул токтомдо таблица жок.".encode(), "no plan table"),
    ],
)
def test_damaged_files_raise_unreadable_decree(tmp_path, content, reason):
    from extractors.decree import read_decree

    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    with pytest.raises(UnreadableDecree, match=reason) as err:
        read_decree(bad)
    assert err.value.path == str(bad) and "\n" not in str(err.value)


@pytest.mark.parametrize("line_no", [102, 111, 122, 131, 168, 207, 252, 291])
def test_a_line_losing_one_more_empty_cell_reads_the_same(seed_text, decree, line_no):
    # The converter drops empty cells at will; content, not position, must place the text.
    lines = seed_text.splitlines()
    cells = lines[line_no - 1].split("\t")
    assert len(cells) == 9 and cells[0] == ""
    lines[line_no - 1] = "\t".join(cells[1:])
    damaged = text_to_decree("\n".join(lines), SEED.name)
    assert [r.cells for r in damaged.rows] == [r.cells for r in decree.rows]


def test_continuation_after_a_section_row_continues_the_measure_before_it(seed_text, decree):
    lines = seed_text.splitlines()
    assert lines[106].startswith("<b>1.2-максат")  # L107, right after 2.2's continuation L106
    lines[105], lines[106] = lines[106], lines[105]
    moved = text_to_decree("\n".join(lines), SEED.name)
    assert [r.cells for r in moved.rows] == [r.cells for r in decree.rows]
