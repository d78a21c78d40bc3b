import csv
from dataclasses import replace
from datetime import date, timedelta

from core.model import Entry, LinkMethod, Outcome, Status
from ledger.db import Ledger
from outputs.ledger_views import ENTRIES_COLUMNS, FILES_COLUMNS, write_ledger_views
from tests.test_ledger import T0, report

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]


def rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_views_columns_rows_and_supersede(tmp_path):
    old = report("1", received=date(2020, 1, 3))
    new = report("2", received=date(2020, 1, 15), first_seen=T0 + timedelta(days=1))
    rejected = report("3", outcome=Outcome.REJECTED, reason="empty file", agency=None, entries=())
    with Ledger.for_workdir(tmp_path) as ledger:
        for r in (old, new, rejected):
            ledger.record(r)
        paths = write_ledger_views(ledger, tmp_path / "out")
    assert [p.name for p in paths] == ["files.csv", "entries.csv"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["entries.csv", "files.csv"]
    files = rows(paths[0])
    assert list(files[0]) == list(FILES_COLUMNS)
    by_sha = {f["sha256"][0]: f for f in files}
    assert by_sha["1"]["superseded_by"] == new.sha256 and by_sha["2"]["superseded_by"] == ""
    assert by_sha["3"]["reason"] == "empty file" and by_sha["3"]["agency"] == ""
    assert (by_sha["1"]["period"], by_sha["1"]["received_date"]) == ("2019-H1", "2020-01-03")
    assert (by_sha["1"]["linked"], by_sha["1"]["unlinked"]) == ("1", "1")
    entries = rows(paths[1])
    assert list(entries[0]) == list(ENTRIES_COLUMNS)
    assert len(entries) == 4 and {e["agency"] for e in entries} == {"БИМ"}


def test_cells_that_excel_would_run_are_made_inert(tmp_path):
    entries = tuple(
        Entry("4.3", Status.IN_PROGRESS, text, LinkMethod.REFERENCE, 1.0) for text in HOSTILE
    )
    r = replace(report("4", entries=entries), file="=cmd|' /C calc'!A0.xlsx", reason="-1")
    with Ledger.for_workdir(tmp_path) as ledger:
        ledger.record(r)
        files_csv, entries_csv = write_ledger_views(ledger, tmp_path / "out")
    (file_row,) = rows(files_csv)
    assert file_row["file"] == "'=cmd|' /C calc'!A0.xlsx" and file_row["reason"] == "'-1"
    assert [e["progress_text"] for e in rows(entries_csv)] == ["'" + t for t in HOSTILE]


def test_number_not_in_the_plan_counts_as_unlinked(tmp_path):
    entries = (
        Entry(
            "41.3", Status.COMPLETED, "x", LinkMethod.REFERENCE, 0.0, review_reason="not in plan"
        ),
        Entry("33.1", Status.COMPLETED, "y", LinkMethod.FUZZY, 0.82),
        Entry(None, Status.UNCLEAR, "z", LinkMethod.NONE, 0.0),
    )
    with Ledger.for_workdir(tmp_path) as ledger:
        ledger.record(report("5", entries=entries))
        files_csv, _ = write_ledger_views(ledger, tmp_path / "out")
    (row,) = rows(files_csv)
    assert (row["entries"], row["linked"], row["unlinked"]) == ("3", "1", "2")
