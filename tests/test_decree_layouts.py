"""Plan tables read by what their columns mean: the seed catalogue in five real column sets
(tests/fixtures/decree_layouts.py), as converter text and as PDFs printed by LibreOffice,
read back to the known catalogue; and the assembler's number rules on hand-built rows."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from core.errors import VocabularyError
from core.model import PLAN_COLUMNS
from extractors import decree_columns
from extractors.decree import read_decree
from extractors.decree_columns import column_of, is_number_row, map_header
from extractors.decree_rows import ID_COLUMN, DecreeText, RawRow
from extractors.plan_assembly import assemble_plan, id_cell, split_measure_text
from tests.fixtures.decree_layouts import (
    LAYOUTS,
    PRINTS,
    cell_misses,
    expected_measures,
    load_catalogue,
    print_pdfs,
    render_docx,
    render_text,
    soffice,
)
from tests.fixtures.pdf_objects import same_objects

# LibreOffice prints of the seed: (layout, print) → least share of exact cells (issue 12's
# target, 99%; measured 99.5%, 99.9% and 99.7%: bench/bench_decree_prints.py). LibreOffice
# writes the space a line broke at where it fits, so most breaks are known; what stays wrong
# is the seed's own spacing at a full line's end, where no space fitted and nothing on the
# page tells `2020- жылд` from `2020-жылд`, or `документтештирүү үнүн` from one word.
PRINTED = {
    ("ky9", "serif9"): 0.99,
    ("ky9", "sans8-narrow"): 0.99,
    ("ru7", "serif10-portrait"): 0.99,
}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return load_catalogue()


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_layout_round_trips_through_text(name: str, catalogue: dict, tmp_path: Path) -> None:
    layout = LAYOUTS[name]
    path = tmp_path / f"{name}.txt"
    path.write_text(render_text(catalogue, layout), encoding="utf-8")
    plan = read_decree(path)
    expected = expected_measures(catalogue, layout)
    assert [m.measure_id for m in plan.measures] == list(expected)
    total, misses = cell_misses(plan, expected)
    assert misses == [], f"{len(misses)}/{total} cells differ, first {misses[:3]}"
    assert [(c.no, c.title) for c in plan.chapters] == [
        (c["no"], c["title"]) for c in catalogue["chapters"]
    ]
    assert [g.id for g in plan.goals] == [g["id"] for g in catalogue["goals"]]
    # the only finding is the seed's own gap: measure 3.2 names nobody
    assert [(f.code, f.measure_id) for f in plan.findings] == [("missing_responsible", "3.2")]


def test_missing_optional_columns_stay_empty(catalogue: dict, tmp_path: Path) -> None:
    path = tmp_path / "ru5.txt"
    path.write_text(render_text(catalogue, LAYOUTS["ru5"]), encoding="utf-8")
    plan = read_decree(path)
    assert all(not m.baseline and not m.indicator and not m.expected_result for m in plan.measures)
    assert sum(bool(m.funding_raw) for m in plan.measures) > 100  # a column it has is filled


# Session-scoped: the test worker that runs the print tests may run other modules' tests
# between them, and a module-scoped fixture was then printed again (~2.5 min each time).
@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed: `make setup` installs it")
    catalogue = load_catalogue()
    tmp = tmp_path_factory.mktemp("printed")
    docxs = [
        render_docx(catalogue, LAYOUTS[layout], tmp / f"{layout}-{name}.docx", PRINTS[name])
        for layout, name in PRINTED
    ]
    return dict(zip(PRINTED, print_pdfs(docxs, tmp), strict=True))


@pytest.mark.slow
@pytest.mark.xdist_group("decree_prints")  # one worker prints them, once
@pytest.mark.parametrize("key", list(PRINTED), ids=["-".join(k) for k in PRINTED])
def test_libreoffice_prints_read_back(key: tuple[str, str], printed: dict, catalogue: dict) -> None:
    layout = LAYOUTS[key[0]]
    plan = read_decree(printed[key])
    expected = expected_measures(catalogue, layout)
    assert [m.measure_id for m in plan.measures] == list(expected)
    total, misses = cell_misses(plan, expected)
    assert 1 - len(misses) / total >= PRINTED[key], misses[:10]
    # line-end hyphens are joined without a space: the seed's 1.1 starts `үй-` / `бүлөлүк`
    first = next(m for m in plan.measures if m.measure_id == "1.1")
    assert "үй-бүлөлүк" in first.text
    # the reader's faster character dicts are pdfplumber's own on LibreOffice's PDFs too
    with pdfplumber.open(printed[key]) as pdf:
        assert same_objects(pdf, [0, 1]) > 1000


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("№ п/п", "task_no"),
        ("Наименование мероприятия", "text"),
        ("Мероприятия", "text"),
        ("Сроки исполнения", "deadline"),
        ("Срок исполнения", "deadline"),
        ("Ответственные за исполнение", "responsible"),
        ("Ответственные исполнители", "responsible"),
        ("Ожидаемые результаты/Индикаторы", "expected_result"),
        ("Индикаторы", "indicator"),
        ("Источники финансирования", "funding"),
        ("Аткаруу мөөнөтү", "deadline"),
        ("Жооптуу аткаруучулар", "responsible"),
        ("Чаранын №", ID_COLUMN),
        ("Ответственный исполнитель", "responsible"),
        ("Срок исполненя", "deadline"),  # a typo: the fuzzy match
        ("2019-жылдын ичинде", None),
        ("БИМ, ЭСӨМ", None),
    ],
)
def test_header_words_by_meaning(cell: str, column: str | None) -> None:
    assert column_of(cell) == column


def test_a_header_needs_text_deadline_and_responsible() -> None:
    assert map_header(["№", "Мероприятия", "Срок", "Исполнители"]) == {
        0: "task_no",
        1: "text",
        2: "deadline",
        3: "responsible",
    }
    assert map_header(["№", "Мероприятия", "Срок", "Источники финансирования"]) is None


def test_number_rows() -> None:
    assert is_number_row(["1", "2", "3", "4", "5"])
    assert is_number_row(["1.", "2.", "3."])
    assert not is_number_row(["1", "2"])
    assert not is_number_row(["1", "3", "4"])
    assert not is_number_row(["1.1.", "Текст", "2019"])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.1. Текст", ("1.1", "Текст")),
        ("1.1 Текст", ("1.1", "Текст")),
        ("12.3.Текст", ("12.3", "Текст")),
        ("1.2.3. Текст", ("1.2.3", "Текст")),
        ("6.1. 2015-2017-жылдар", ("6.1", "2015-2017-жылдар")),
        ("Текст 1.1", ("", "Текст 1.1")),
    ],
)
def test_measure_numbers_leading_the_text(cell: str, expected: tuple[str, str]) -> None:
    assert split_measure_text(cell) == expected


def test_id_cells() -> None:
    assert id_cell("1.1.") == "1.1" and id_cell("1 . 1") == "1.1" and id_cell("1.2.3") == "1.2.3"
    assert id_cell("1.") == "" and id_cell("12") == "" and id_cell("Текст") == ""


def _row(**cells: str) -> RawRow:
    row = RawRow()
    row.cells.update(cells)
    return row


def _heading(text: str) -> RawRow:
    row = RawRow(spanning=True)
    row.cells[PLAN_COLUMNS[0]] = text
    return row


def _plan(rows: list[RawRow]):
    return assemble_plan(DecreeText("t.txt", "", "План на 2018-2020 годы", rows, []))


def test_ordinals_under_task_headings_become_ids() -> None:
    plan = _plan(
        [
            _heading("Глава 1. Экономика"),
            _heading("Цель 1.1. Занятость"),
            _heading("Задача 1. Условия труда"),
            _row(task_no="1.", text="Исследование", deadline="2019", responsible="МТСР"),
            _row(task_no="2.", text="Обучение", deadline="2020", responsible="МОН"),
            _heading("1-милдет. Эмгек"),  # the Kyrgyz form works the same
            _row(task_no="1.", text="Изилдөө", deadline="2019", responsible="БИМ"),
        ]
    )
    assert [(m.measure_id, m.task_no, m.goal_id, m.chapter_no) for m in plan.measures] == [
        ("1.1", 1, "1.1", 1),
        ("1.2", 1, "1.1", 1),
        ("1.1", 1, "1.1", 1),
    ]
    assert [t.text for t in plan.tasks] == ["Условия труда", "Эмгек"]


def test_ids_in_their_own_column_and_a_labelled_task_cell() -> None:
    plan = _plan(
        [
            _row(task_text="Задача 2. Право", **{ID_COLUMN: "2.1."}, text="Курсы"),
            _row(**{ID_COLUMN: "2.2"}, text="Ролики"),
            _row(task_no="3", task_text="Статистика", text="3.1. Сбор данных"),
        ]
    )
    assert [(m.measure_id, m.task_no, m.text) for m in plan.measures] == [
        ("2.1", 2, "Курсы"),
        ("2.2", 2, "Ролики"),
        ("3.1", 3, "Сбор данных"),
    ]
    assert [(t.no, t.text) for t in plan.tasks] == [(2, "Право"), (3, "Статистика")]


def test_a_plan_without_printed_tasks_groups_measures_by_their_ids() -> None:
    plan = _plan([_row(task_no=f"{t}.{k}.", text=f"Мера {t}.{k}") for t in (1, 2) for k in (1, 2)])
    assert [(m.measure_id, m.task_no) for m in plan.measures] == [
        ("1.1", 1),
        ("1.2", 1),
        ("2.1", 2),
        ("2.2", 2),
    ]
    assert all(not m.task_text for m in plan.measures)


def test_header_vocabulary_is_validated(monkeypatch) -> None:
    broken = {"columns": {"text": ["меры"]}, "required": ["text"], "fuzzy_cutoff": 90}
    assert "missing" in decree_columns._validate(broken)
    good = decree_columns.header_vocab()
    assert decree_columns._validate(good) is None
    bad_pattern = {**good, "sections": {**good["sections"], "task": ["^(?P<no>\\d+"]}}
    assert "section pattern" in decree_columns._validate(bad_pattern)
    assert issubclass(VocabularyError, Exception)
