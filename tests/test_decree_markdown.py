"""Markdown pipe tables and HTML tables: seed text → plan → markdown/HTML → the same plan.

Rendered by `tests/fixtures/decree_containers.py` from the plan the text reader makes of the
seed decree: markdown as pandoc/marker write it (merged task cells in their first row only,
section rows with one filled cell), with cells wrapped by `<br>`, and as docling writes it
(merged cells repeated in every cell they cover); HTML with `rowspan`/`colspan` and `<br>`.
Property tests render random small plans at random wrapping widths.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UnreadableDecree
from core.model import Plan
from extractors.decree import read_decree
from extractors.decree_html import html_items, html_to_decree
from extractors.decree_markdown import cell_text, markdown_to_decree, split_row
from extractors.plan_assembly import assemble_plan
from tests.fixtures.decree_containers import (
    catalogue,
    cells_exact,
    layout_body,
    partitions,
    plan_body,
    random_plans,
    render_html,
    render_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
VARIANTS = {
    "seed.md": (render_markdown, {}),
    "seed-br.md": (render_markdown, {"br_width": 30}),
    "seed-docling.md": (render_markdown, {"repeat_merged": True, "br_width": 45}),
    "seed.html": (render_html, {"br_width": 25}),
}


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return read_decree(SEED)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request, seed_plan: Plan, tmp_path_factory) -> tuple[Path, Plan]:
    render, options = VARIANTS[request.param]
    path = tmp_path_factory.mktemp("md") / request.param
    render(plan_body(seed_plan), path, **options)
    return path, read_decree(path)


def test_round_trip_is_the_seed_catalogue(seed_plan: Plan, rendered) -> None:
    path, got = rendered
    want, have = catalogue(seed_plan), catalogue(got)
    for a, b in zip(want["measures"], have["measures"], strict=True):
        assert b == a, f"{path.name}: measure {a.measure_id} differs"
    assert have == want
    assert cells_exact(seed_plan, got) == (936, 936)
    assert {(f.code, f.measure_id) for f in got.findings} == {
        (f.code, f.measure_id) for f in seed_plan.findings
    }
    # provenance: the source line of each cell
    assert got.source == path.name and all(m.provenance.lines for m in got.measures)


def test_the_fixtures_really_wrap_and_repeat(tmp_path: Path, seed_plan: Plan) -> None:
    body = plan_body(seed_plan)
    wrapped = render_markdown(body, tmp_path / "a.md", br_width=30).read_text(encoding="utf-8")
    assert wrapped.count("<br>") > 1000 and "үй-<br>бүлөлүк" in wrapped
    docling = render_markdown(body, tmp_path / "b.md", repeat_merged=True).read_text("utf-8")
    chapter = next(x for x in docling.splitlines() if "1-глава." in x)
    assert chapter.count("1-глава.") == 9
    page = render_html(body, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "rowspan='3'" in page and "colspan='9'" in page


def test_escaped_pipes_and_breaks_inside_cells() -> None:
    assert split_row(r"| a \| b | c<br>d |  |") == [r" a \| b ", " c<br>d ", "  "]
    assert cell_text(r" a \| b ") == "a | b"
    assert cell_text("үй-<br>бүлөлүк жана -<br/>тартип") == "үй-бүлөлүк жана - тартип"
    assert cell_text(r"\*жок\* **бар**") == "*жок* бар"


def test_html_rowspan_and_colspan_place_cells_on_the_grid() -> None:
    head = "".join(f"<th>{h}</th>" for h in ("№", "Милдеттер", "Чаралар", "Баштапкы"))
    head += "".join(f"<th>{h}</th>" for h in ("Индикатор", "Мөөнөтү", "Жооптуу", "Каржылоо"))
    page = f"""<p><b>2018-2020-жылдарга план</b></p><table><tr>{head}</tr>
    <tr><td colspan="8">1-глава. Биринчи</td></tr>
    <tr><td colspan="8"><b>1.1-максат. Максат</b></td></tr>
    <tr><td rowspan="2">1</td><td rowspan="2">Милдет<br>тин тексти</td><td>1.1. Бир</td>
        <td rowspan="2">жалпы</td><td>и1</td><td>2019-жыл</td><td>БИМ</td><td>бюджет</td></tr>
    <tr><td>1.2. Эки</td><td>и2</td><td>2020-жыл</td><td>ЭСӨМ</td><td>бюджет</td></tr>
    </table>"""
    plan = assemble_plan(html_to_decree(page, "x.html"))
    m1, m2 = plan.measures
    assert (m1.text, m1.baseline, m1.indicator, m1.deadline_raw) == (
        "Бир",
        "жалпы",
        "и1",
        "2019-жыл",
    )
    # the baseline merged down over 1.2 stays with 1.1: its grid slot shifts 1.2's cells right
    assert (m2.text, m2.baseline, m2.indicator, m2.responsible_raw) == ("Эки", "", "и2", "ЭСӨМ")
    assert plan.tasks[0].text == "Милдет тин тексти" and plan.title == "2018-2020-жылдарга план"
    assert [g.id for g in plan.goals] == ["1.1"] and plan.chapters[0].title == "Биринчи"


def test_markdown_without_a_plan_table_names_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"  # the content decides, not the name
    path.write_text("# Эскертме\n\n| а | б |\n|---|---|\n| 1 | 2 |\n", encoding="utf-8")
    with pytest.raises(UnreadableDecree) as err:
        read_decree(path)
    assert err.value.reason == (
        "a markdown document without a plan table (no table row names the plan's columns)"
    )


def plan_fields(plan: Plan) -> dict:
    bare = catalogue(plan)
    bare["measures"] = [dataclasses.replace(m, plan_id="") for m in bare["measures"]]
    return {k: v for k, v in bare.items() if k != "plan_id"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=random_plans(),
    width=st.one_of(st.none(), st.integers(3, 60)),
    repeat=st.booleans(),
    html=st.booleans(),
)
def test_any_plan_at_any_wrapping_width_reads_back(plan, width, repeat, html) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan"
        body = plan_body(plan)
        if html:
            render_html(body, path, br_width=width)
            decree = html_to_decree(path.read_text(encoding="utf-8"), "p.html")
        else:
            render_markdown(body, path, br_width=width, repeat_merged=repeat)
            decree = markdown_to_decree(path.read_text(encoding="utf-8"), "p.md")
    assert plan_fields(assemble_plan(decree)) == plan_fields(plan)


FORMS = (
    ("plan.md", render_markdown, {"br_width": 30}),
    ("docling.md", render_markdown, {"repeat_merged": True}),
    ("plan.html", render_html, {"br_width": 20}),
)
# tests/fixtures/decree_layouts.py; its ky9 is the seed's own layout, read above
LAYOUTS = ("ru7", "ru5", "ky6", "ky5")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_other_plan_layouts_read_back_exactly(layout: str, tmp_path: Path) -> None:
    """Other column sets (Russian, ids in their own column, task heading rows, number rows)
    in this container: every cell of every measure as the layout prints it."""
    layouts = pytest.importorskip("tests.fixtures.decree_layouts")
    expected = layouts.expected_measures(layouts.load_catalogue(), layouts.LAYOUTS[layout])
    body = layout_body(layout)
    for name, render, options in FORMS:
        plan = read_decree(render(body, tmp_path / name, **options))
        total, misses = layouts.cell_misses(plan, expected)
        assert (total, misses) == (117 * 11, []), f"{layout} as {name}"


def test_a_small_pipe_table_does_not_hide_the_converter_text_plan(
    tmp_path: Path, seed_plan: Plan
) -> None:
    """Sniffed as markdown, found no plan there: the converter-text reader reads the plan."""
    note = "| Токтом | № 443 |\n|---|---|\n| күнү | 2012-06-27 |\n\n"
    path = tmp_path / "seed-with-note.txt"
    path.write_text(note + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    got = read_decree(path)
    assert catalogue(got)["measures"] == catalogue(seed_plan)["measures"]


def test_html_without_a_plan_table_names_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("<html><table><tr><td>а</td><td>б</td></tr></table></html>", "utf-8")
    with pytest.raises(UnreadableDecree) as err:
        read_decree(path)
    assert err.value.reason == (
        "an HTML document without a plan table (no table row names the plan's columns)"
    )


@settings(max_examples=150, deadline=None)
@given(partitions())
def test_html_rowspan_colspan_partitions_land_on_their_grid_slots(grid) -> None:
    """Any partition into merged cells: each cell in the row it starts on, at its column."""
    rows, _, cells = grid
    trs = []
    for top in range(rows):
        tds = [
            f"<td rowspan='{d}' colspan='{s}'>r{r}c{c}</td>"
            for r, c, d, s in sorted(cells, key=lambda x: x[1])
            if r == top
        ]
        trs.append("<tr>" + "".join(tds) + "</tr>")
    (table,) = html_items("<table>" + "".join(trs) + "</table>", "p.html")
    got = [sorted((x.col, x.span, x.text) for x in row.cells) for row in table]
    expected = [
        sorted((c, s, f"r{r}c{c}") for r, c, _, s in cells if r == top) for top in range(rows)
    ]
    assert got == expected
