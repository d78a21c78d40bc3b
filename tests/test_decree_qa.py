"""QA of the extracted plan: only true findings on the seed, every kind of damage caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.model import Severity
from extractors.decree import read_decree
from extractors.decree_qa import check_plan
from extractors.decree_text import text_to_decree
from extractors.plan_assembly import assemble_plan

SEED = (
    Path(__file__).parent.parent
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").splitlines()


def findings_of(lines: list[str]):
    decree = text_to_decree("\n".join(lines), "damaged.txt")
    return check_plan(assemble_plan(decree), decree)


def codes(findings) -> list[tuple[str, str | None]]:
    return [(f.code, f.measure_id) for f in findings]


def test_seed_has_only_the_true_finding():
    plan = read_decree(SEED)
    assert [(f.code, f.measure_id, f.location, f.severity) for f in plan.findings] == [
        ("missing_responsible", "3.2", f"{SEED.name}:L109-111", Severity.WARNING)
    ]
    assert "3.2" in plan.findings[0].message


def test_a_lost_measure_row_breaks_the_numbering(seed_lines):
    lines = list(seed_lines)
    assert lines[112].lstrip("\t").startswith("4.2.")
    del lines[112]
    found = findings_of(lines)
    assert codes(found) == [("measure_gap", "4.3"), ("missing_responsible", "3.2")]
    assert found[0].location == "damaged.txt:L113-117"
    assert "4.3 follows 4.1" in found[0].message


def test_task_numbers_gap_repeat_and_mismatch(seed_lines):
    lines = list(seed_lines)
    assert lines[124].startswith("5\t")
    lines[124] = "6" + lines[124][1:]  # task 5 printed as 6: a gap, then 6 twice
    found = codes(findings_of(lines))
    assert ("task_gap", None) in found and ("task_duplicate", None) in found
    assert [c for c in found if c[0] == "measure_task_mismatch"] == [
        ("measure_task_mismatch", "5.1"),
        ("measure_task_mismatch", "5.2"),
        ("measure_task_mismatch", "5.3"),
    ]


def test_stray_text_is_reported_not_dropped(seed_lines):
    lines = list(seed_lines)
    lines.insert(94, "a stray note the converter left between the header and the first row")
    found = findings_of(lines)
    stray = [f for f in found if f.code == "unassigned_fragment"]
    assert len(stray) == 1 and stray[0].location == "damaged.txt:L95"
    assert stray[0].severity == Severity.ERROR


def test_missing_deadline_is_found(seed_lines):
    lines = list(seed_lines)
    cells = lines[101].split("\t")
    assert cells[5] == "2019-жылдын 2-жарым жылдыгы"
    cells[5] = ""
    lines[101] = "\t".join(cells)
    found = findings_of(lines)
    assert ("missing_deadline", "1.3") in codes(found)
    assert next(f for f in found if f.code == "missing_deadline").location == "damaged.txt:L102"


def test_a_task_number_lost_entirely_is_read_off_its_measures_and_reported(seed_lines):
    lines = list(seed_lines)
    assert lines[189].startswith("1 6\t")  # task 16's number, printed on a continuation line
    lines[189] = lines[189][3:]
    decree = text_to_decree("\n".join(lines), "damaged.txt")
    plan = assemble_plan(decree)
    assert [t.no for t in plan.tasks] == list(range(1, 37))
    assert plan.measure("16.1").task_text.startswith("Ички иштер органдары жана сот органдары")
    assert [(f.code, f.location) for f in plan.findings] == [
        ("task_number_inferred", "damaged.txt:L188-190")
    ]
    assert codes(check_plan(plan, decree)) == [("missing_responsible", "3.2")]


def test_an_abbreviation_line_without_a_full_name_is_reported(seed_lines):
    lines = list(seed_lines)
    lines.append("Кол тамга коюлган: министр")  # a signature line after the list
    found = findings_of(lines)
    odd = [f for f in found if f.code == "unparsed_abbreviation"]
    assert len(odd) == 1 and odd[0].location == f"damaged.txt:L{len(lines)}"
    assert "Кол тамга" in odd[0].message
    assert len(assemble_plan(text_to_decree("\n".join(lines), "damaged.txt")).abbreviations) == 38
