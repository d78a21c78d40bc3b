"""Box-drawing text: seed text → plan → `┌──┬──┐` table → the same plan.

Rendered by `tests/fixtures/decree_containers.py` as the legal database prints plan matrices:
each cell wrapped inside its column (words broken after their hyphens), task cells spanning
their measures, chapter and goal rows spanning the table; once at comfortable widths, once
narrow with the task text running on through the open rule lines, as an ASCII grid. Property
tests render random small plans at random column widths, and random partitions of a grid into
merged cells.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UnreadableDecree
from core.model import Plan
from extractors.decree import read_decree
from extractors.decree_boxdraw import (
    boxdraw_items,
    boxdraw_to_decree,
    looks_like_boxdraw,
    table_to_grid,
)
from extractors.plan_assembly import assemble_plan
from tests.fixtures.decree_containers import (
    catalogue,
    cells_exact,
    layout_body,
    partitions,
    plan_body,
    random_plans,
    render_boxdraw,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
NARROW = (3, 12, 20, 14, 12, 8, 14, 11, 11)
VARIANTS = {
    "seed.txt": {},
    "seed-narrow.txt": {"widths": NARROW, "text_on_rules": True},
    "seed-ascii.txt": {"widths": NARROW, "ascii_grid": True},
}


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return read_decree(SEED)


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def rendered(request, seed_plan: Plan, tmp_path_factory) -> tuple[Path, Plan]:
    path = tmp_path_factory.mktemp("box") / request.param
    render_boxdraw(plan_body(seed_plan), path, **VARIANTS[request.param])
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
    m = got.measure("1.1")
    assert len(m.cells["text"].lines) >= 5  # a wrapped cell: one provenance line per text line


def test_the_fixture_really_wraps_breaks_hyphens_and_spans(rendered) -> None:
    path, _ = rendered
    lines = path.read_text(encoding="utf-8").splitlines()
    if "ascii" in path.name:
        assert not any("│" in x for x in lines) and sum(x.startswith("+===") for x in lines) == 1
        lines = [x.translate(str.maketrans("|+", "│├")) for x in lines]
    segments = [seg.strip() for x in lines if x.startswith("│") for seg in x.split("│")]
    assert sum(1 for seg in segments if seg[-2:-1].isalpha() and seg.endswith("-")) > 20
    # the rule between two measures of a task leaves the task columns open
    assert sum(1 for x in lines if x.startswith("│") and "├" in x) == 117 - 36
    if "narrow" in path.name:  # task text on the rule lines between its measures
        assert any(x.startswith("│") and "├" in x and x.split("│")[2].strip() for x in lines)


TINY = """\
┌───┬──────────┬───────────┬────────┬──────────┬────────┐
│ № │ Милдеттер│ Чаралар   │Мөөнөтү │ Жооптуу  │Каржылоо│
├───┴──────────┴───────────┴────────┴──────────┴────────┤
│ 1-глава. Үй-                                          │
│ бүлөлүк саясат                                        │
├───┬──────────┬───────────┬────────┬──────────┬────────┤
│ 1 │ Милдет - │ 1.1. Үй-  │ 2019-  │ БИМ      │ бюджет │
│   │ биринчи  ├───────────┼────────┼──────────┴────────┤
│   │ тексти   │ 1.2. Эки  │ 2020-  │ ЭСӨМ, бюджет      │
│   │          │ бүлөлүк   │ жыл    │ (бирге)           │
└───┴──────────┴───────────┴────────┴───────────────────┘
"""


def test_spans_where_a_rule_crosses_only_some_columns() -> None:
    rows = table_to_grid(TINY.splitlines(), 0, "t.txt")
    header, chapter, first, second = rows
    assert [c.text for c in header.cells][:3] == ["№", "Милдеттер", "Чаралар"]
    assert [(c.col, c.span, c.text) for c in chapter.cells] == [
        (0, 6, "1-глава. Үй-бүлөлүк саясат")
    ]
    # the task cell goes on through the open rule: text on it and below it is the cell's
    assert first.cells[1].text == "Милдет - биринчи тексти"  # a free-standing dash keeps its space
    assert first.cells[1].where.lines == (7, 8, 9)
    assert [c.text for c in first.cells[2:]] == ["1.1. Үй-", "2019-", "БИМ", "бюджет"]
    # a rule crossing two columns as one: one cell spanning both
    assert [(c.col, c.span, c.text) for c in second.cells] == [
        (2, 1, "1.2. Эки бүлөлүк"),
        (3, 1, "2020-жыл"),
        (4, 2, "ЭСӨМ, бюджет (бирге)"),
    ]


def test_double_and_heavy_strokes_draw_the_same_grid() -> None:
    double = TINY.translate(str.maketrans("─│┌┬┐├┼┤└┴┘", "═║╔╦╗╠╬╣╚╩╝"))
    heavy = TINY.translate(str.maketrans("─│┌┬┐├┼┤└┴┘", "━┃┏┳┓┣╋┫┗┻┛"))
    light = table_to_grid(TINY.splitlines(), 0, "t.txt")
    assert table_to_grid(double.splitlines(), 0, "t.txt") == light
    assert table_to_grid(heavy.splitlines(), 0, "t.txt") == light


def test_box_text_without_a_plan_table_names_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "table.md"  # the content decides, not the name
    path.write_text("┌──┬──┐\n│ а│ б│\n├──┼──┤\n│ 1│ 2│\n└──┴──┘\n", encoding="utf-8")
    assert looks_like_boxdraw(path.read_text(encoding="utf-8"))
    with pytest.raises(UnreadableDecree) as err:
        read_decree(path)
    assert err.value.reason == (
        "a box-drawing text without a plan table (no table row names the plan's columns)"
    )


def plan_fields(plan: Plan) -> dict:
    bare = catalogue(plan)
    bare["measures"] = [dataclasses.replace(m, plan_id="") for m in bare["measures"]]
    return {k: v for k, v in bare.items() if k != "plan_id"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=random_plans(),
    widths=st.lists(st.integers(3, 30), min_size=9, max_size=9),
    text_on_rules=st.booleans(),
    ascii_grid=st.booleans(),
)
def test_any_plan_at_any_column_widths_reads_back(plan, widths, text_on_rules, ascii_grid) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.txt"
        options = {"widths": widths, "text_on_rules": text_on_rules, "ascii_grid": ascii_grid}
        render_boxdraw(plan_body(plan), path, **options)
        decree = boxdraw_to_decree(path.read_text(encoding="utf-8"), "p.txt")
    assert plan_fields(assemble_plan(decree)) == plan_fields(plan)


FORMS = (
    ("plan.txt", render_boxdraw, {}),
    ("narrow.txt", render_boxdraw, {"widths": [8], "text_on_rules": True}),
    ("grid.txt", render_boxdraw, {"widths": [10], "ascii_grid": True}),
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


# --------------------------------------------------------------------------- random spans

_ARMS = {  # (up, down, left, right) → the box character joining those strokes
    (0, 1, 0, 1): "┌", (0, 1, 1, 0): "┐", (1, 0, 0, 1): "└", (1, 0, 1, 0): "┘",
    (1, 1, 0, 1): "├", (1, 1, 1, 0): "┤", (0, 1, 1, 1): "┬", (1, 0, 1, 1): "┴",
    (1, 1, 1, 1): "┼", (1, 1, 0, 0): "│", (0, 0, 1, 1): "─",
}  # fmt: skip


def draw_partition(rows: int, cols: int, cells, width: int = 5) -> list[str]:
    """The partition drawn in box characters, each grid row one text line high, each cell's
    text (`r<row>c<col>`) on its first line."""
    h, w = 2 * rows + 1, (width + 1) * cols + 1
    canvas = [[" "] * w for _ in range(h)]
    edges_h, edges_v = set(), set()
    for r, c, down, span in cells:
        y0, y1, x0, x1 = 2 * r, 2 * (r + down), (width + 1) * c, (width + 1) * (c + span)
        edges_h |= {(y, x) for y in (y0, y1) for x in range(x0, x1 + 1)}
        edges_v |= {(y, x) for x in (x0, x1) for y in range(y0, y1 + 1)}
        for k, ch in enumerate(f"r{r}c{c}"):
            canvas[y0 + 1][x0 + 1 + k] = ch
    for y in range(h):
        for x in range(w):
            if (y, x) in edges_h or (y, x) in edges_v:
                arms = (
                    int((y - 1, x) in edges_v and (y, x) in edges_v),
                    int((y + 1, x) in edges_v and (y, x) in edges_v),
                    int((y, x - 1) in edges_h and (y, x) in edges_h),
                    int((y, x + 1) in edges_h and (y, x) in edges_h),
                )
                canvas[y][x] = _ARMS.get(arms, canvas[y][x])
    return ["".join(line) for line in canvas]


@settings(max_examples=150, deadline=None)
@given(partitions())
def test_any_partition_into_merged_cells_reads_back(grid) -> None:
    """Every rectangle comes back as one cell: its text, its first column and span (columns
    and rows counted as drawn: a boundary no cell draws is no boundary)."""
    rows, cols, cells = grid
    got = table_to_grid(draw_partition(rows, cols, cells), 0, "p.txt")
    starts_r = sorted({r for r, _, _, _ in cells})  # rows where some cell starts
    bounds = sorted({c for _, c, _, _ in cells} | {c + s for _, c, _, s in cells})
    expected = [
        sorted(
            (bounds.index(c), bounds.index(c + s) - bounds.index(c), f"r{r}c{c}")
            for r, c, _, s in cells
            if r == top
        )
        for top in starts_r
    ]
    assert [sorted((x.col, x.span, x.text) for x in row.cells) for row in got] == expected


CUT = """\
┌──────────────┬──────────────────────┐
│Экотехинспекци│ Экотехинспекция, БИМ │
│я, БИМ        │                      │
├──────────────┼──────────────────────┤
│ каражаттар   │ бюджет               │
│ дын чегинде  │                      │
└──────────────┴──────────────────────┘
"""


def test_a_word_cut_with_no_hyphen_rejoins_on_the_documents_own_words() -> None:
    items = boxdraw_items(CUT, "c.txt")
    (rows,) = items
    # a full line holding one word, the joined word whole elsewhere in the document
    assert rows[0].cells[0].text == "Экотехинспекция, БИМ"
    # the line was not full and not one word: a printer would not have cut there
    assert rows[1].cells[0].text == "каражаттар дын чегинде"
    assert table_to_grid(CUT.splitlines(), 0, "c.txt")[0].cells[0].text == "Экотехинспекци я, БИМ"


def test_narrow_columns_cut_words_and_most_cells_still_read_exactly(
    seed_plan: Plan, tmp_path
) -> None:
    path = render_boxdraw(plan_body(seed_plan), tmp_path / "cut.txt", cut_words=True,
                          widths=(4, 24, 40, 28, 24, 14, 28, 22, 22))  # fmt: skip
    exact, total = cells_exact(seed_plan, read_decree(path))
    assert exact / total >= 0.99, (exact, total)
