"""`planwatch plan KY --compare RU`: the two language texts of one decree checked against each
other. The Russian text is the seed catalogue in the Russian 7-column layout with its short
cells in Russian (deadlines, funding, `по согласованию`, Russian agency abbreviations), so on
the same plan every difference the compare reports is one we put there."""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from outputs.plan_compare import (
    COMPARE_COLUMNS,
    by_language,
    compare_plans,
    funding_sources,
)
from tests.fixtures.decree_layouts import LAYOUTS, load_catalogue, render_text

RU_TITLE = (
    "Национальный план действий по достижению гендерного равенства в Кыргызской "
    "Республике на 2018-2020 годы"
)
# Kyrgyz → Russian wording of the short cells, as the Russian text of a decree words them.
RU_DEADLINES = (
    (r"^(\d{4})-жылдын ичинде$", r"в течение \1 года"),
    (r"^(\d{4})-(\d{4})-жылдар$", r"\1-\2 годы"),
    (r"^(\d{4})-жылдын 2-жарым жылдыгы$", r"II полугодие \1 года"),
    (r"^(\d{4})-жылдын 1-жарым жылдыгы$", r"I полугодие \1 года"),
    (r"^жыл сайын$", "ежегодно"),
)
RU_FUNDING = {
    "Республикалык бюджетте каралган каражаттардын чегинде": (
        "В пределах средств, предусмотренных в республиканском бюджете"
    ),
}
RU_AGENCIES = (("макулдашуу боюнча", "по согласованию"), ("БИМ", "МОН"), ("ЭСӨМ", "МТСР"))


def russian(catalogue: dict) -> dict:
    ru = copy.deepcopy(catalogue)
    ru["title"] = RU_TITLE
    for m in ru["measures"]:
        for pattern, repl in RU_DEADLINES:
            m["deadline"] = re.sub(pattern, repl, m["deadline"])
        m["funding"] = RU_FUNDING.get(m["funding"], m["funding"])
        for ky, ru_word in RU_AGENCIES:
            m["responsible"] = re.sub(rf"\b{ky}\b", ru_word, m["responsible"])
    return ru


def write(tmp: Path, name: str, catalogue: dict, layout: str) -> Path:
    path = tmp / name
    path.write_text(render_text(catalogue, LAYOUTS[layout]), encoding="utf-8")
    return path


def run_cli(args: list, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["planwatch", *map(str, args)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    tmp = tmp_path_factory.mktemp("compare")
    ky = load_catalogue()
    write(tmp, "plan.ky.txt", ky, "ky9")
    return tmp, ky, russian(ky)


def test_russian_fixture_really_is_worded_in_russian(texts) -> None:
    _, ky, ru = texts
    pairs = zip(ky["measures"], ru["measures"], strict=True)
    changed = sum(a["deadline"] != b["deadline"] for a, b in pairs)
    assert changed > 90  # most deadlines are worded in Russian
    assert sum("по согласованию" in m["responsible"] for m in ru["measures"]) > 20
    assert sum("МОН" in m["responsible"] for m in ru["measures"]) > 10


@pytest.mark.parametrize("ru_first", [False, True], ids=["ky-ru", "ru-ky"])
def test_same_plan_in_both_languages_has_no_findings(
    texts, tmp_path, monkeypatch, capsys, ru_first
) -> None:
    tmp, _, ru = texts
    ru_path = write(tmp_path, "plan.ru.txt", ru, "ru7")
    first, second = (ru_path, tmp / "plan.ky.txt") if ru_first else (tmp / "plan.ky.txt", ru_path)
    code, out = run_cli(
        ["plan", first, "--out", tmp_path / "o", "--compare", second], monkeypatch, capsys
    )
    assert code == 0, out
    frame = pd.read_csv(tmp_path / "o/compare.csv")
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert frame.empty, frame.to_string()
    assert "plan.ky.txt (ky) vs plan.ru.txt (ru): 0 difference(s)" in out


def test_real_differences_are_all_found_and_only_they(texts, tmp_path, monkeypatch, capsys) -> None:
    tmp, _, ru = texts
    ru = copy.deepcopy(ru)
    by_id = {m["id"]: m for m in ru["measures"]}
    by_id["1.1"]["deadline"] = "в течение 2020 года"  # ky: 2019-жылдын ичинде
    by_id["2.1"]["responsible"] = by_id["2.1"]["responsible"].replace("МТСР", "МИД")
    by_id["2.2"]["responsible"] += ", по согласованию: МВД"
    by_id["3.1"]["funding"] = "Средства донорских организаций"
    ru["measures"] = [m for m in ru["measures"] if m["id"] != "5.2"]
    ru_path = write(tmp_path, "plan.ru.txt", ru, "ru7")
    code, out = run_cli(
        ["plan", ru_path, "--out", tmp_path / "o", "--compare", tmp / "plan.ky.txt"],
        monkeypatch,
        capsys,
    )
    assert code == 0, out
    frame = pd.read_csv(tmp_path / "o/compare.csv", dtype=str).fillna("")
    found = sorted(zip(frame.measure_id, frame.finding, strict=True))
    assert found == [
        ("1.1", "deadline_differs"),
        ("2.1", "responsible_differs"),
        ("2.2", "partners_differ"),
        ("3.1", "funding_differs"),
        ("5.2", "only_in_ky"),
    ]
    row = frame[frame.measure_id == "1.1"].iloc[0]
    assert (row.ky, row.ru) == ("2019-жылдын ичинде", "в течение 2020 года")


def test_language_decides_the_order_not_the_arguments(texts, tmp_path) -> None:
    from cli.plan import read_plan

    tmp, _, ru = texts
    ky_plan = read_plan(tmp / "plan.ky.txt")
    ru_plan = read_plan(write(tmp_path, "plan.ru.txt", ru, "ru7"))
    assert by_language(ru_plan, ky_plan) == (ky_plan, ru_plan)
    assert by_language(ky_plan, ru_plan) == (ky_plan, ru_plan)
    assert compare_plans(ky_plan, ky_plan) == []


def test_funding_sources_in_both_languages() -> None:
    assert funding_sources("Республикалык бюджетте каралган каражаттардын чегинде") == {
        "republican_budget"
    }
    assert funding_sources("В пределах средств республиканского бюджета, средства доноров") == {
        "republican_budget",
        "donors",
    }
    assert funding_sources("Каржылоону талап кылбайт") == {"not_required"}
    assert funding_sources("") == frozenset()
