"""What changed since the last run: `compare` on hand-built runs, `run_rows` on real results,
and the runs recorded in a real ledger."""

from datetime import date

import pytest

from ledger.db import Ledger
from outputs.changes import CHANGE_COLUMNS, CHANGES, compare, run_rows, since_last_run
from outputs.compliance import build_compliance
from tests.fixtures.compliance_cases import A, B, report, small_plan


def pair(mid, agency, *, overdue=False, kind="", status="no_report", unreported=False, missing=""):
    return {
        "kind": "measure",
        "plan_id": "p1",
        "measure_id": mid,
        "agency": agency,
        "overdue": overdue,
        "overdue_kind": kind,
        "status": status,
        "latest_period": "2020-H1",
        "unreported": unreported,
        "missing_periods": missing,
    }


def sub(agency, period, received, file=""):
    return {
        "kind": "submission",
        "agency": agency,
        "period": period,
        "received": received,
        "file": file,
    }


def changes_of(previous, current):
    frame = compare(previous, current)
    assert tuple(frame.columns) == CHANGE_COLUMNS
    return [
        tuple(r) for r in frame[["measure_id", "agency", "change", "previous", "current"]].values
    ]


def test_each_change_from_one_run_to_the_next():
    previous = [
        pair("1.1", A, overdue=True, kind="no_information"),
        pair("1.2", A),
        pair("1.3", B, status="in_progress"),
        pair("1.4", B, unreported=False),
        sub(A, "2020-H1", False),
        sub(B, "2020-H1", True, "b.xlsx"),
    ]
    current = [
        pair("1.1", A, status="completed"),  # reported completed: no longer overdue
        pair("1.2", A, overdue=True, kind="no_information"),
        pair("1.3", B, status="completed"),
        pair("1.4", B, unreported=True, missing="2019-H2; 2020-H1"),
        sub(A, "2020-H1", True, "a.xlsx"),
        sub(B, "2020-H1", True, "b.xlsx"),
    ]
    assert changes_of(previous, current) == [
        ("1.2", A, "newly_overdue", "no_report", "no_information"),
        ("1.1", A, "no_longer_overdue", "no_information", "completed"),
        ("1.4", B, "newly_unreported", "", "2019-H2; 2020-H1"),
        ("", A, "newly_received", "", "a.xlsx"),
        ("1.3", B, "newly_completed", "in_progress", "completed"),  # by agency: БИМ < ЭСӨМ
        ("1.1", A, "newly_completed", "no_report", "completed"),
    ]
    frame = compare(previous, current)
    assert set(frame["change"]) <= set(CHANGES)
    assert frame.loc[frame["change"] == "newly_unreported", "period"].item() == "2020-H1"


def test_the_same_rows_change_nothing_and_a_first_run_has_nothing_to_compare():
    rows = [pair("1.1", A, overdue=True, kind="no_information"), sub(A, "2020-H1", True, "a")]
    assert compare(rows, rows).empty
    assert compare([], []).empty


def test_run_rows_of_two_real_results_give_the_expected_changes():
    plan = small_plan()
    before = build_compliance([plan], [], date(2019, 7, 10))
    reports = [report(A, "2019-H1", date(2019, 7, 3), [("1.1", "completed")])]
    after = build_compliance([plan], reports, date(2019, 7, 10))
    found = compare(run_rows(before), run_rows(after))
    # 1.1 (A, due 2019-06-30) was overdue with no information; now reported completed.
    got = set(zip(found["measure_id"], found["agency"], found["change"], strict=True))
    assert ("1.1", A, "no_longer_overdue") in got and ("1.1", A, "newly_completed") in got
    assert ("", A, "newly_received") in got
    assert not any(c == "newly_overdue" for *_, c in got)


@pytest.mark.skipif(not hasattr(Ledger, "record_run"), reason="the ledger's runs table")
def test_runs_are_recorded_and_compared_in_the_ledger(tmp_path):
    plan = small_plan()
    with Ledger.for_workdir(tmp_path) as ledger:
        first = since_last_run(ledger, build_compliance([plan], [], date(2019, 7, 10)))
        assert first.first and first.changes.empty
        reports = [report(A, "2019-H1", date(2019, 7, 3), [("1.1", "completed")])]
        second = since_last_run(ledger, build_compliance([plan], reports, date(2019, 7, 11)))
        assert not second.first and second.previous_as_of == date(2019, 7, 10)
        assert "newly_completed" in set(second.changes["change"])
        assert len(ledger.runs()) == 2
