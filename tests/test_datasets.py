"""Datasets: Parquet keeps raw values, CSV follows OWASP's CSV-injection advice, writes are atomic."""

import csv
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from outputs.compliance import build_compliance
from outputs.datasets import csv_safe, write_datasets
from tests.fixtures.compliance_cases import A, B, report, small_plan

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture
def result():
    entries = [
        (m, "in_progress", text) for m, text in zip(("1.1", "1.2", "1.4"), HOSTILE[:3], strict=True)
    ]
    b_entries = [("1.2", "in_progress", HOSTILE[3]), ("1.3", "completed", HOSTILE[4])]
    reports = [
        report(A, "2019-H1", date(2019, 7, 1), entries, file="=evil.xlsx"),
        report(B, "2019-H2", date(2020, 1, 6), b_entries),
    ]
    return build_compliance([small_plan()], reports, date(2020, 7, 20))


def test_csv_safe_prefixes_only_dangerous_text():
    assert [csv_safe(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert csv_safe("Аткарылды") == "Аткарылды" and csv_safe(-3) == -3 and csv_safe(None) is None


def test_write_datasets_writes_four_files_atomically(result, tmp_path):
    paths = write_datasets(result, tmp_path / "out")
    assert [p.name for p in paths] == [
        "compliance.parquet",
        "compliance.csv",
        "submissions.parquet",
        "submissions.csv",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)


def test_parquet_keeps_raw_values_and_types(result, tmp_path):
    write_datasets(result, tmp_path)
    back = pd.read_parquet(tmp_path / "compliance.parquet")
    assert set(HOSTILE[:4]) <= set(back["progress_text"])
    assert back["evidence"].str.startswith("=evil.xlsx").any()
    schema = pq.read_schema(tmp_path / "compliance.parquet")
    assert str(schema.field("deadline_end").type) == "date32[day]"
    assert str(schema.field("overdue").type) == "bool"
    assert str(schema.field("days_overdue").type) == "int64"
    subs = pd.read_parquet(tmp_path / "submissions.parquet")
    assert subs.loc[subs["agency"] == A, "received_date"].dropna().iloc[0] == date(2019, 7, 1)


def test_csv_cells_are_inert_and_quoted(result, tmp_path):
    write_datasets(result, tmp_path)
    raw = (tmp_path / "compliance.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Cyrillic as UTF-8
    with open(tmp_path / "compliance.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:13] == list(result.compliance.columns[:13])
    texts = {r["progress_text"] for r in rows}
    assert {"'" + h for h in HOSTILE[:5]} <= texts
    for r in rows:
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # Text fields are enclosed in double quotes, inner quotes doubled (OWASP).
    assert '"\'=HYPERLINK(""http://x"",""y"")"' in raw.decode("utf-8-sig")
    assert '"\'=evil.xlsx: row 2"' in raw.decode("utf-8-sig")
    # Dates are ISO text, numbers stay numbers.
    back = pd.read_csv(tmp_path / "compliance.csv", encoding="utf-8-sig")
    assert back["deadline_end"].iloc[0] == "2019-06-30"
    assert back["periods_missing"].dtype.kind == "i"


def test_rewrite_replaces_and_leaves_no_temporary_files(result, tmp_path):
    write_datasets(result, tmp_path)
    first = (tmp_path / "submissions.csv").read_bytes()
    write_datasets(result, tmp_path)
    assert (tmp_path / "submissions.csv").read_bytes() == first  # same inputs, same bytes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_failed_write_keeps_the_previous_file(result, tmp_path, monkeypatch):
    write_datasets(result, tmp_path)
    before = (tmp_path / "compliance.parquet").read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError, match="disk full"):
        write_datasets(result, tmp_path)
    assert (tmp_path / "compliance.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_compliance_csv_carries_the_overdue_kind(result, tmp_path):
    write_datasets(result, tmp_path)
    back = pd.read_csv(
        tmp_path / "compliance.csv", keep_default_na=False, dtype={"measure_id": str}
    )
    assert set(back["overdue_kind"]) <= {"reported_not_done", "no_information", ""}
    overdue = back[back["overdue"]]
    assert (overdue["overdue_kind"] != "").all() and (
        back.loc[~back["overdue"], "overdue_kind"] == ""
    ).all()
    # A reported 1.1 and 1.4 in progress past their deadlines; an overdue pair without any
    # entry ("no_report") is the other kind.
    kind = back.set_index(["measure_id", "agency"])["overdue_kind"]
    assert kind[("1.1", A)] == "reported_not_done" and kind[("1.4", A)] == "reported_not_done"
    silent = overdue["status"] == "no_report"
    assert (overdue.loc[silent, "overdue_kind"] == "no_information").all()
    assert (overdue.loc[~silent, "overdue_kind"] == "reported_not_done").all()
