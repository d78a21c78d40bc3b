"""`planwatch plan` end to end on the seed decree, and its one-line errors on bad files."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from core.model import Measure
from extractors.decree import read_decree
from normalizers.plan_normalize import COLUMNS as NORMALIZED_COLUMNS
from outputs.plan_tables import MEASURE_COLUMNS, plan_to_frame

SEED = (
    Path(__file__).parent.parent
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)


def run_cli(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["planwatch", *map(str, args)])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def seed_plan():
    return read_decree(SEED)


def test_plan_command_writes_the_four_tables(tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["plan", SEED, "--out", out_dir], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert "5 chapters, 13 goals, 36 tasks, 117 measures, 38 abbreviations" in out
    assert "QA: 3 finding(s)" in out and "missing_responsible" in out and "L109-111" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "abbreviations.csv",
        "measures.csv",
        "measures.parquet",
        "qa.csv",
    ]
    csv = pd.read_csv(
        out_dir / "measures.csv",
        encoding="utf-8-sig",
        keep_default_na=False,
        dtype={"measure_id": str, "goal_id": str},
    )
    parquet = pd.read_parquet(out_dir / "measures.parquet")
    for frame in (csv, parquet):
        assert list(frame.columns) == [*MEASURE_COLUMNS, "source", *NORMALIZED_COLUMNS]
        assert len(frame) == 117 and frame["measure_id"].iloc[-1] == "36.5"
    assert csv["text"].tolist() == parquet["text"].tolist()
    assert parquet["task_no"].tolist()[:3] == [1, 1, 1]
    row = parquet.set_index("measure_id").loc["6.1"]
    assert row["funding_raw"].endswith("эл аралык уюмдардын каражаттары")
    assert row["source"] == f"{SEED.name}:L134"
    abbr = pd.read_csv(out_dir / "abbreviations.csv", encoding="utf-8-sig")
    assert list(abbr.columns) == ["abbr", "full_name"] and len(abbr) == 38
    qa = pd.read_csv(out_dir / "qa.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(qa.columns) == ["code", "severity", "measure_id", "location", "message"]
    assert qa[["code", "severity", "measure_id"]].values.tolist() == [
        ["missing_responsible", "warning", "3.2"],
        ["agency_unconfident", "warning", "26.2"],
        ["deadline_unconfident", "warning", "36.1"],
    ]
    assert row["agencies"] == "ССМ;БИМ" and row["deadline_recurrence"] == "once"


def test_format_is_read_from_content_not_name(tmp_path, monkeypatch, capsys):
    disguised = tmp_path / "decree.pdf"  # text behind a .pdf name
    shutil.copy(SEED, disguised)
    code, out, _ = run_cli(["plan", disguised, "--out", tmp_path / "o"], monkeypatch, capsys)
    assert code == 0 and "117 measures" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\n  \n", "empty file"),
        (bytes(range(256)) * 8, "neither a PDF nor UTF-8 text (binary content)"),
        ("Токтом. Бул документте план жок.\n".encode(), "no plan table found"),
        (b"%PDF-1.4\n%broken\n", "corrupt"),
    ],
)
def test_unreadable_decree_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, content, reason):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, out, err = run_cli(["plan", bad, "--out", tmp_path / "o"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {bad}: ") and reason in err
    assert err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_missing_decree(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "nope.txt"
    code, _, err = run_cli(["plan", missing, "--out", tmp_path], monkeypatch, capsys)
    assert (code, err) == (2, f"error: {missing}: file not found\n")


def test_frame_takes_extra_columns_after_the_contract(seed_plan):
    def first_year(m: Measure) -> dict[str, object]:
        return {"deadline_first_year": m.deadline_raw[:4]}

    frame = plan_to_frame(seed_plan, [first_year])
    assert list(frame.columns) == [*MEASURE_COLUMNS, "source", "deadline_first_year"]
    assert frame.loc[frame["measure_id"] == "1.3", "deadline_first_year"].item() == "2019"
    with pytest.raises(ValueError, match="overwrite"):
        plan_to_frame(seed_plan, [lambda m: {"text": "x"}])


def test_pdf_decree_gives_the_same_tables_as_its_text(tmp_path, monkeypatch, capsys, seed_plan):
    from tests.fixtures.decree_pdf import render_plan_pdf

    pdf = render_plan_pdf(seed_plan, tmp_path / "seed.pdf", lang="ru")
    outputs = {}
    for name, decree in [("text", SEED), ("pdf", pdf)]:
        code, out, _ = run_cli(["plan", decree, "--out", tmp_path / name], monkeypatch, capsys)
        assert code == 0 and "117 measures" in out and "QA: 3 finding(s)" in out
        outputs[name] = pd.read_parquet(tmp_path / name / "measures.parquet")
    contract = list(MEASURE_COLUMNS)
    pd.testing.assert_frame_equal(outputs["pdf"][contract], outputs["text"][contract])
    assert outputs["pdf"]["source"].str.contains(r"seed\.pdf:p\d").all()
