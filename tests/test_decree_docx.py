"""Word decrees: seed text → plan → .docx (and .doc/.rtf/.odt via LibreOffice) → the same plan.

The documents are rendered by `tests/fixtures/decree_containers.py` from the plan the text
reader makes of the seed decree: one table with `tblHeader`, merged chapter/goal rows and
merged task cells; the plan split over four tables with the header printed once, a row of
column numbers, rows cut between two tables and task cells merged across a split. Files that are no Word plan fail with one
line naming what they are.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from cli.main import main
from core.errors import UnreadableDecree
from core.model import Plan
from extractors.decree import read_decree
from extractors.decree_docx import document_to_decree, read_decree_docx
from tests.fixtures.decree_containers import (
    catalogue,
    cells_exact,
    convert_with_libreoffice,
    layout_body,
    plan_body,
    render_docx,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
# rows where a new table starts: after a goal row, inside a task, between two tasks
SPLIT = {
    "tables_at": (22, 40, 48, 79),
    "repeat_header": False,
    "number_row": True,
    "cut_row": True,
    "list_table": True,  # the abbreviation list as a two-column table after the plan
}

pytestmark = pytest.mark.xdist_group("decree_docx")


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return read_decree(SEED)


@pytest.fixture(scope="module")
def docx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("decree-docx")


@pytest.fixture(scope="module")
def seed_docx(seed_plan: Plan, docx_dir: Path) -> Path:
    return render_docx(plan_body(seed_plan), docx_dir / "seed.docx")


@pytest.fixture(scope="module")
def split_docx(seed_plan: Plan, docx_dir: Path) -> Path:
    return render_docx(plan_body(seed_plan), docx_dir / "seed-split.docx", **SPLIT)


def assert_same_plan(expected: Plan, got: Plan) -> None:
    want, have = catalogue(expected), catalogue(got)
    assert len(have["measures"]) == 117
    for a, b in zip(want["measures"], have["measures"], strict=True):
        assert b == a, f"measure {a.measure_id} differs"
    assert have == want
    assert cells_exact(expected, got) == (117 * 8, 117 * 8)
    assert {(f.code, f.measure_id) for f in got.findings} == {
        (f.code, f.measure_id) for f in expected.findings
    }


def test_docx_round_trip_is_the_seed_catalogue(seed_plan: Plan, seed_docx: Path) -> None:
    got = read_decree(seed_docx)
    assert_same_plan(seed_plan, got)
    assert got.source == "seed.docx" and len(got.sha256) == 64
    assert (
        str(got.measure("1.1").provenance) == "seed.docx:L4"
    )  # row 1 header, 2-3 chapter and goal


def test_a_plan_split_over_tables_with_a_row_cut_between_them(
    seed_plan: Plan, split_docx: Path
) -> None:
    import docx

    assert len(docx.Document(str(split_docx)).tables) == 6
    got = read_decree(split_docx)
    assert_same_plan(seed_plan, got)
    # the cut rows really are two table rows, in two tables, read as one measure
    rows = plan_body(seed_plan).rows
    kinds = [(rows[r - 1][0], rows[r][0]) for r in SPLIT["tables_at"]]
    assert kinds == [
        ("span", "task"),
        ("measure", "measure"),
        ("measure", "task"),
        ("task", "measure"),
    ]
    cut = [m for m in got.measures if len(m.cells["text"].lines) == 2]
    assert len(cut) == 3, [m.measure_id for m in cut]  # the first split follows a goal row


def test_vertical_merge_and_header_rows_come_from_the_xml(seed_docx: Path) -> None:
    import docx

    body = docx.Document(str(seed_docx)).element.body
    decree = document_to_decree(body, "x.docx", "")
    measures = [r for r in decree.rows if not r.spanning]
    # the task cell spans task 1's three measures: text in its first row only
    assert [bool(r.cells["task_text"]) for r in measures[:4]] == [True, False, False, True]
    assert measures[0].cells["task_no"] == "1"
    spanning = [r.cells["task_no"] for r in decree.rows if r.spanning]
    assert spanning[:2][0].startswith("1-глава.") and len(spanning) == 18
    assert decree.abbreviation_lines[0][0].startswith("КРП МБА - ")


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".doc", ".rtf", ".odt"])
def test_legacy_and_open_formats_through_libreoffice(
    seed_plan: Plan, seed_docx: Path, suffix: str
) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot make or read " + suffix)
    converted = convert_with_libreoffice(seed_docx, suffix)
    got = read_decree(converted)
    assert_same_plan(seed_plan, got)
    assert got.source == converted.name
    assert all(m.provenance.source == converted.name for m in got.measures)


def test_legacy_word_without_libreoffice_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plan.doc"
    path.write_bytes(b"{\\rtf1\\ansi {\\b 2018-2020} plan\\par}")
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice anywhere
    with pytest.raises(UnreadableDecree) as err:
        read_decree(path)
    assert err.value.reason.startswith("an RTF document: ")
    assert "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui" in err.value.reason
    assert "\n" not in str(err.value)


@pytest.mark.slow  # the CLI's first import
def test_word_document_without_a_plan_table_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Токтом. Бул документте план жок.")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "жадыбал"
    path = tmp_path / "letter.bin"  # the content decides, not the name
    document.save(str(path))
    monkeypatch.setattr("sys.argv", ["planwatch", "plan", str(path), "--out", str(tmp_path / "o")])
    with pytest.raises(SystemExit) as stop:
        main()
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.strip() == (
        f"error: {path}: a Word document without a plan table "
        "(no table row names the plan's columns)"
    )


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"xl/workbook.xml": "<x/>"}, "a spreadsheet, not a decree"),
        ({"notes.txt": "hello"}, "a ZIP archive that is not a Word or OpenDocument text"),
        ({"word/document.xml": "<not xml"}, "corrupt Word document"),
    ],
)
def test_other_zip_files_say_what_they_are(tmp_path: Path, members: dict, reason: str) -> None:
    path = tmp_path / "plan.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    with pytest.raises(UnreadableDecree) as err:
        read_decree(path)
    assert reason in err.value.reason and err.value.path == str(path)


def test_a_damaged_legacy_office_file_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(UnreadableDecree, match="a damaged legacy Office file, not a decree"):
        read_decree(path)


def test_truncated_docx_is_refused(seed_docx: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.docx"
    cut.write_bytes(seed_docx.read_bytes()[:5000])
    with pytest.raises(UnreadableDecree, match="corrupt"):
        read_decree_docx(cut)


FORMS = (
    ("plan.docx", render_docx, {"tables_at": (30, 60), "cut_row": True, "repeat_header": False}),
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
