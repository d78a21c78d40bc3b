"""`template` refuses a period outside the plan: from a converter text's title alone (the
quick path, no table read), and from the whole read for every other form."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.model import Plan
from extractors.decree import SNIFF_BYTES, read_decree, title_years
from tests.fixtures.decree_containers import plan_body, render_markdown

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return read_decree(SEED)


def test_title_years_of_converter_text_are_the_whole_reads_years(seed_plan: Plan) -> None:
    assert seed_plan.years == (2018, 2020)
    assert title_years(SEED) == seed_plan.years


def test_title_years_follow_the_title_not_the_file_name(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("2018-2020", "2025-2027")
    moved = tmp_path / "nap-2018-2020.txt"
    moved.write_text(text, encoding="utf-8")
    assert title_years(moved) == read_decree(moved).years == (2025, 2027)


def test_other_forms_and_a_late_header_leave_the_years_to_the_whole_read(
    tmp_path: Path, seed_plan: Plan
) -> None:
    markdown = render_markdown(plan_body(seed_plan), tmp_path / "plan.md")
    assert title_years(markdown) is None
    assert read_decree(markdown).years == seed_plan.years
    late = tmp_path / "late.txt"  # a preamble longer than the sniffed head
    preamble = "Преамбула.\n" * (SNIFF_BYTES // 10)
    late.write_text(preamble + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert title_years(late) is None
    assert title_years(tmp_path / "missing.txt") is None


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_template_refuses_a_period_outside_the_plan_in_every_form(
    tmp_path: Path, seed_plan: Plan, form: str
) -> None:
    decree = SEED if form == "text" else render_markdown(plan_body(seed_plan), tmp_path / "p.md")
    out = tmp_path / "t.xlsx"
    args = ["template", "БИМ", "--period", "2031-H1", "--out", str(out), "--decree", str(decree)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "2031-H1: outside the plan's years 2018-2020" in result.output
    assert not out.exists()
