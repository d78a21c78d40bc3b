"""Rows → plan catalogue: the seed decree against the reference records and the golden file,
plus the assembler's small pure parts on hand-built rows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.model import Provenance
from extractors.decree_rows import DecreeText, RawRow
from extractors.decree_text import read_decree_text
from extractors.plan_assembly import (
    assemble_plan,
    lines_to_abbreviations,
    plan_id_for,
    plan_years,
    split_measure_text,
    task_number,
)

HERE = Path(__file__).parent
SEED = HERE.parent / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
REFERENCE = json.loads((HERE / "fixtures/plan-excerpt.json").read_text(encoding="utf-8"))
GOLDEN = HERE / "data/decree/seed.measures.json"
REGEN = os.environ.get("PLANWATCH_REGEN_GOLDEN") == "1"
MEASURE_FIELDS = {
    "task": "task_no",
    "goal": "goal_id",
    "chapter": "chapter_no",
    "text": "text",
    "baseline": "baseline",
    "indicator": "indicator",
    "deadline": "deadline_raw",
    "expected_result": "expected_result",
    "responsible": "responsible_raw",
    "funding": "funding_raw",
}
# Measures whose source really leaves these cells empty: each checked by eye against the
# seed's lines (an empty cell on the measure's start line and no continuation for it).
EMPTY_IN_SOURCE = {
    "baseline": set(
        [
            "3.2",
            "4.3",
            "5.2",
            "15.3",
            "16.2",
            "17.3",
            "17.4",
            "18.3",
            "19.3",
            "20.3",
            "21.1",
            "22.1",
            "22.2",
            "22.3",
            "23.3",
            "23.4",
            "25.2",
            "25.3",
            "26.2",
            "26.3",
            "26.4",
            "26.5",
            "26.6",
            "27.1",
            "27.2",
            "27.3",
            "29.1",
            "29.2",
            "30.2",
            "30.3",
            "31.2",
            "31.3",
            "31.4",
            "32.1",
            "32.4",
            "33.3",
            "34.2",
            "34.5",
            "34.6",
            "36.3",
            "36.5",
        ]
    ),
    "indicator": {"3.2", "24.1", "36.5"},
    "expected_result": {"36.2"},
    "responsible": {"3.2"},
    "funding": {"35.1"},
}


@pytest.fixture(scope="module")
def decree():
    return read_decree_text(SEED)


@pytest.fixture(scope="module")
def plan(decree):
    return assemble_plan(decree)


def plan_to_golden(plan) -> dict:
    """The whole catalogue as plain JSON (provenance as `file:L12-14` strings)."""
    return {
        "plan_id": plan.plan_id,
        "title": plan.title,
        "years": list(plan.years),
        "chapters": [
            {"no": c.no, "title": c.title, "source": str(c.provenance)} for c in plan.chapters
        ],
        "goals": [
            {"id": g.id, "chapter": g.chapter_no, "title": g.title, "source": str(g.provenance)}
            for g in plan.goals
        ],
        "tasks": [
            {
                "no": t.no,
                "goal": t.goal_id,
                "chapter": t.chapter_no,
                "text": t.text,
                "source": str(t.provenance),
            }
            for t in plan.tasks
        ],
        "measures": [
            {
                "id": m.measure_id,
                **{k: getattr(m, f) for k, f in MEASURE_FIELDS.items()},
                "source": str(m.provenance),
            }
            for m in plan.measures
        ],
        "abbreviations": [{"abbr": a.abbr, "full": a.full_name} for a in plan.abbreviations],
    }


def test_counts_match_the_reference(plan):
    counts = REFERENCE["counts"]
    assert len(plan.chapters) == counts["chapters"]
    assert len(plan.goals) == counts["goals"]
    assert len(plan.tasks) == counts["tasks"]
    assert len(plan.measures) == counts["measures"]
    assert len(plan.abbreviations) == counts["abbreviations"]


def test_plan_identity_from_the_title(plan):
    assert plan.plan_id == "nap-2018-2020"
    assert plan.years == (2018, 2020)
    assert plan.source == SEED.name


def test_reference_records_match_exactly(plan):
    for want in REFERENCE["chapters"]:
        got = next(c for c in plan.chapters if c.no == want["no"])
        assert got.title == want["title"]
    for want in REFERENCE["goals"]:
        got = next(g for g in plan.goals if g.id == want["id"])
        assert (got.chapter_no, got.title) == (want["chapter"], want["title"])
    for want in REFERENCE["tasks"]:
        got = next(t for t in plan.tasks if t.no == want["no"])
        assert (got.goal_id, got.text) == (want["goal"], want["text"])
    for want in REFERENCE["measures"]:
        got = plan.measure(want["id"])
        assert {k: getattr(got, f) for k, f in MEASURE_FIELDS.items()} == {
            k: want[k] for k in MEASURE_FIELDS
        }, want["id"]
        assert got.plan_id == "nap-2018-2020"
    for want in REFERENCE["abbreviations"]:
        got = next(a for a in plan.abbreviations if a.abbr == want["abbr"])
        assert got.full_name == want["full"]


def test_every_measure_in_order_under_its_task(plan):
    tasks = {t.no: t for t in plan.tasks}
    assert [t.no for t in plan.tasks] == list(range(1, 37))
    ids = [m.measure_id for m in plan.measures]
    assert len(ids) == len(set(ids)) == 117
    assert ids[:6] == ["1.1", "1.2", "1.3", "2.1", "2.2", "3.1"]
    assert ids[-6:] == ["35.4", "36.1", "36.2", "36.3", "36.4", "36.5"]
    for m in plan.measures:
        major, minor = map(int, m.measure_id.split("."))
        assert major == m.task_no and m.task_text == tasks[major].text
        assert m.goal_id.startswith(f"{m.chapter_no}.")
    per_task = {}
    for m in plan.measures:
        per_task.setdefault(m.task_no, []).append(int(m.measure_id.split(".")[1]))
    assert all(minors == list(range(1, len(minors) + 1)) for minors in per_task.values())


def test_every_cell_has_text_unless_the_source_leaves_it_empty(plan):
    for m in plan.measures:
        assert m.text and m.task_text and m.deadline_raw, m.measure_id
        for column, attr in [
            ("baseline", "baseline"),
            ("indicator", "indicator"),
            ("expected_result", "expected_result"),
            ("responsible", "responsible_raw"),
            ("funding", "funding_raw"),
        ]:
            empty = m.measure_id in EMPTY_IN_SOURCE[column]
            assert (getattr(m, attr) == "") == empty, (m.measure_id, column)


def test_cells_keep_their_own_provenance(plan):
    m = plan.measure("16.1")
    assert m.cells["task_no"].lines == (190,)
    assert m.cells["deadline"].lines == (188, 190)
    assert str(m.provenance).endswith(":L188-190")


def test_golden_catalogue(plan):
    data = plan_to_golden(plan)
    if REGEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert data == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_golden_regeneration_switch_is_off():
    assert not REGEN, "PLANWATCH_REGEN_GOLDEN=1 rewrites golden files: unset it and re-run"


# --------------------------------------------------------------------------- the pure parts


def test_numbers_are_normalized():
    assert task_number("3 4") == 34 and task_number("1 2 .") == 12 and task_number("") is None
    assert split_measure_text("6.1.Республиканын региондорунда") == (
        "6.1",
        "Республиканын региондорунда",
    )
    assert split_measure_text("23.3 Окуу программасын") == ("23.3", "Окуу программасын")
    assert split_measure_text("21.2.Мамсоцзаказдан") == ("21.2", "Мамсоцзаказдан")
    assert split_measure_text("16.1. 2015-2017-жылдар") == ("16.1", "2015-2017-жылдар")


def test_plan_id_and_years_for_other_plans():
    title = "2025-2027-жылдарга Кыргыз Республикасында ... УЛУТТУК ПЛАНЫ"
    assert plan_years(title) == (2025, 2027)
    assert plan_id_for(plan_years(title), "ab" * 32) == "nap-2025-2027"
    assert plan_years("Национальный план на 2022–2024 годы") == (2022, 2024)
    assert plan_id_for(None, "0123456789abcdef") == "nap-0123456789ab"


def test_abbreviation_lines_as_printed():
    prov = Provenance("d.txt", lines=(1,))
    lines = [
        ("КРП МБА", prov),
        ("- Кыргыз Республикасынын Президентине караштуу мамлекеттик башкаруу академиясы;", prov),
        ("ЖӨБ жана этностор агенттиги - Жергиликтүү ... агенттик;", prov),
        ("ЮСАИД - АКШнын Эл аралык өнүктүрүү боюнча агенттиги.", prov),
    ]
    got = [(a.abbr, a.full_name) for a in lines_to_abbreviations(lines)]
    assert got == [
        ("КРП МБА", "Кыргыз Республикасынын Президентине караштуу мамлекеттик башкаруу академиясы"),
        ("ЖӨБ жана этностор агенттиги", "Жергиликтүү ... агенттик"),
        ("ЮСАИД", "АКШнын Эл аралык өнүктүрүү боюнча агенттиги"),
    ]


def _row(**cells: str) -> RawRow:
    row = RawRow()
    for column, text in cells.items():
        row.cells[column] = text
        row.provenance[column] = Provenance("pdf", pages=(1,))
    return row


def test_format_free_rows_build_tasks_spanning_measures():
    rows = [
        _row(task_no="Глава 1. Экономика"),
        _row(task_no="Цель 1.1. Занятость"),
        _row(
            task_no="1",
            task_text="Задача один",
            text="1.1. Мера",
            deadline="2019 год",
            responsible="МТСР",
        ),
        _row(
            task_text="(продолжение)",
            text="1.2. Вторая мера",
            deadline="2020 год",
            responsible="МФ",
        ),
        _row(
            task_no="2",
            task_text="Задача два",
            text="2.1 Третья",
            deadline="2020",
            responsible="МЗ",
        ),
    ]
    rows[0].spanning = rows[1].spanning = True
    decree = DecreeText("ru.pdf", "f" * 64, "Национальный план на 2022-2024 годы", rows, [])
    plan = assemble_plan(decree)
    assert plan.plan_id == "nap-2022-2024"
    assert [(c.no, c.title) for c in plan.chapters] == [(1, "Экономика")]
    assert [(g.id, g.chapter_no, g.title) for g in plan.goals] == [("1.1", 1, "Занятость")]
    assert [(t.no, t.text) for t in plan.tasks] == [
        (1, "Задача один (продолжение)"),
        (2, "Задача два"),
    ]
    assert [(m.measure_id, m.task_no, m.task_text, m.text) for m in plan.measures] == [
        ("1.1", 1, "Задача один (продолжение)", "Мера"),
        ("1.2", 1, "Задача один (продолжение)", "Вторая мера"),
        ("2.1", 2, "Задача два", "Третья"),
    ]
    assert str(plan.measures[0].provenance) == "pdf:p1"


def test_first_task_without_a_number_is_numbered_after_its_measure():
    rows = [
        _row(task_text="Задача", text="1.1. Мера", deadline="2019", responsible="МТСР"),
        _row(task_no="2", task_text="Вторая", text="2.1. Мера", deadline="2019", responsible="МФ"),
    ]
    plan = assemble_plan(DecreeText("ocr.pdf", "", "План 2022-2024", rows, []))
    assert [t.no for t in plan.tasks] == [1, 2]
    assert [(f.code, f.location) for f in plan.findings] == [("task_number_inferred", "pdf:p1")]
