"""Every deadline and responsible cell of the seed decree, normalized; the extra plan columns."""

from datetime import date
from pathlib import Path

import pytest

from core.model import Measure, Plan
from extractors.decree import read_decree
from normalizers.plan_normalize import COLUMNS, normalize_plan, normalized_columns

SEED = (
    Path(__file__).parents[1]
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)

# The seed cells that do NOT come out confident, and why (see README "Normalizers"):
UNCONFIDENT_DEADLINES = {
    "36.1": "201-2020-жылдар: a year typo, read as 2018-2020 (the plan's first year)",
}
UNCONFIDENT_AGENCIES = {
    ("26.2", "БКБА"): "no abbreviation list expands it; read as КТБА (its pre-2015 name)",
}
UNRESOLVED_AGENCIES: dict = {}  # every piece of every responsible cell names a known body


@pytest.fixture(scope="module")
def plan() -> Plan:
    return normalize_plan(read_decree(SEED))


def test_every_seed_deadline_parses(plan):
    assert len(plan.measures) == 117
    for m in plan.measures:
        d = m.deadline
        assert d.recurrence != "unknown" and d.start and d.end, (m.measure_id, d.raw)
        assert date(2018, 1, 1) <= d.start <= d.end <= date(2020, 12, 31)
    unconfident = {m.measure_id for m in plan.measures if not m.deadline.confident}
    assert unconfident == set(UNCONFIDENT_DEADLINES)


def test_every_seed_responsible_cell_resolves(plan):
    pieces = [(m.measure_id, a) for m in plan.measures for a in m.agencies]
    assert len(pieces) > 400
    assert {(mid, a.raw) for mid, a in pieces if a.code is None} == set(UNRESOLVED_AGENCIES)
    assert {(mid, a.raw) for mid, a in pieces if a.code and not a.confident} == set(
        UNCONFIDENT_AGENCIES
    )
    empty = [m.measure_id for m in plan.measures if not m.agencies]
    assert empty == ["3.2"]  # the decree prints no responsible body there (extractor QA flags it)
    assert "АБЖК" not in {a.code for _, a in pieces}


def test_findings_list_exactly_the_flagged_cells(plan):
    mine = [f for f in plan.findings if f.code.startswith(("deadline_", "agency_"))]
    assert sorted((f.code, f.measure_id) for f in mine) == [
        ("agency_unconfident", "26.2"),
        ("deadline_unconfident", "36.1"),
    ]
    assert all(f.location.startswith(SEED.name + ":L") for f in mine)
    assert any(f.code == "missing_responsible" for f in plan.findings)  # extractor's kept


@pytest.mark.parametrize(
    ("measure_id", "expected"),
    [
        (
            "1.3",
            {
                "agencies": "ЭСӨМ;БИМ;ЖӨБ жана этностор агенттиги;ФМ",
                "partners": "Бишкек шаарынын мэриясы",
                "deadline_start": date(2019, 7, 1),
            },
        ),
        (
            "6.1",
            {
                "agencies": "ССМ;БИМ",
                "partners": "ЖМА;ДЧРБ;АДК;ЖӨБО;ЮНИСЕФ;ЮНФПА",
                "deadline_end": date(2020, 12, 31),
                "deadline_recurrence": "once",
            },
        ),
        (
            "15.2",
            {"agencies": "ЭСӨМ;ССМ;ИИМ;ӨКМ;Экотехинспекция", "partners": "МКК;КР Акыйкатчысы;КПФ"},
        ),
        (
            "21.2",
            {"agencies": "ЭСӨМ", "partners": "Бишкек шаарынын мэриясы;Ош шаарынын мэриясы;ЖӨБО"},
        ),
        (
            "24.1",
            {
                "partners": "Бишкек шаарынын мэриясы;Ош шаарынын мэриясы;Каракол шаарынын мэриясы;БУУӨП"
            },
        ),
        ("26.2", {"agencies": "БИМ;КТБА", "partners": "БУУӨП", "agencies_unresolved": ""}),
        ("31.2", {"deadline_recurrence": "annual", "deadline_start": date(2018, 1, 1)}),
        ("32.3", {"agencies": "*министрликтер жана ведомстволор", "partners": "ЖӨБО"}),
        ("34.5", {"deadline_start": date(2018, 7, 1), "deadline_end": date(2019, 12, 31)}),
        ("36.1", {"deadline_confident": False, "deadline_start": date(2018, 1, 1)}),
        ("36.2", {"partners": "КР ЖС;ЖК СД;УСК", "deadline_end": date(2018, 12, 31)}),
    ],
)
def test_normalized_columns(plan, measure_id, expected):
    columns = normalized_columns(plan.measure(measure_id))
    assert tuple(columns) == COLUMNS
    assert {k: columns[k] for k in expected} == expected


def test_unnormalized_measure_and_unresolved_column():
    bare = Measure(
        "p",
        "1.1",
        1,
        None,
        None,
        "",
        "",
        deadline_raw="когда-нибудь",
        responsible_raw="ЭСӨМ, Аялдар кеңеши",
    )
    plan = normalize_plan(Plan("p", "", "x.txt", "", (2018, 2020), measures=(bare,)))
    columns = normalized_columns(plan.measures[0])
    assert columns["deadline_recurrence"] == "unknown" and columns["deadline_start"] is None
    assert (columns["agencies"], columns["agencies_unresolved"]) == ("ЭСӨМ", "Аялдар кеңеши")
    assert [f.code for f in plan.findings] == ["deadline_unparsed", "agency_unresolved"]
    assert normalized_columns(bare)["deadline_confident"] is False
