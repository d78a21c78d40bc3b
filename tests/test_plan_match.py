"""Several plans in one ledger: each report goes to the plan it answers."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.model import Outcome, Period
from ledger.db import Ledger
from ledger.inbox import InboxSettings, scan_inbox
from outputs.compliance import build_compliance
from tests.conftest import SEED_DECREE
from tests.fixtures.later_plan import write_later_decree
from tests.fixtures.report_files import write_csv_report

ENTRIES = [
    ("p", "1.1", "аткарылды", "Изилдөө жүргүзүлдү, отчет даярдалды."),
    ("p", "4.2", "аткарылууда", "Методикалык окуу куралдары иштелип чыгууда."),
]
NOW = datetime(2024, 8, 1, 9, 0)


@pytest.fixture(scope="module")
def later_plan(tmp_path_factory):
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    path = tmp_path_factory.mktemp("later") / "nap-2022-2024.ky.txt"
    write_later_decree(SEED_DECREE.read_text(encoding="utf-8"), path)
    return normalize_plan(read_decree(path))


def test_the_later_plan_restarts_its_numbering(seed_plan, later_plan):
    assert later_plan.years == (2022, 2024) and seed_plan.years == (2018, 2020)
    assert later_plan.plan_id != seed_plan.plan_id
    assert {m.measure_id for m in later_plan.measures} == {m.measure_id for m in seed_plan.measures}


def test_reports_go_to_the_plan_whose_years_hold_their_period(tmp_path, seed_plan, later_plan):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    write_csv_report(
        inbox / "БИМ отчет (эски).csv", "БИМ", "2019-жылдын 1-жарым жылдыгы", "05.07.2019", ENTRIES
    )
    write_csv_report(
        inbox / "БИМ отчет (жаңы).csv", "БИМ", "2023-жылдын 1-жарым жылдыгы", "05.07.2023", ENTRIES
    )
    plans = [seed_plan, later_plan]
    with Ledger.for_workdir(work) as ledger:
        for plan in plans:
            ledger.save_plan(plan)
        reports = {
            r.file: r
            for r in scan_inbox(inbox, work, ledger, plans, InboxSettings(settle_seconds=0))
        }
        assert {p.plan_id for p in ledger.plans()} == {seed_plan.plan_id, later_plan.plan_id}
    old, new = reports["БИМ отчет (эски).csv"], reports["БИМ отчет (жаңы).csv"]
    assert (old.plan_id, old.period) == (seed_plan.plan_id, Period(2019, 1))
    assert (new.plan_id, new.period) == (later_plan.plan_id, Period(2023, 1))
    assert old.outcome == new.outcome == Outcome.ACCEPTED

    result = build_compliance(plans, list(reports.values()), date(2024, 8, 1))
    rows = result.compliance
    done = rows[(rows.measure_id == "1.1") & (rows.agency == "БИМ")].set_index("plan_id")
    assert set(done.index) == {seed_plan.plan_id, later_plan.plan_id}
    # each plan's 1.1 counts only its own report: no collision on the restarted number
    for plan, report, other in ((seed_plan, old, new), (later_plan, new, old)):
        row = str(done.loc[plan.plan_id].to_dict())
        assert report.file in row and other.file not in row


def test_one_plan_reads_exactly_as_before(tmp_path, seed_plan):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    write_csv_report(
        inbox / "БИМ отчет (эски).csv", "БИМ", "2019-жылдын 1-жарым жылдыгы", "05.07.2019", ENTRIES
    )
    with Ledger.for_workdir(work) as ledger:
        (report,) = scan_inbox(inbox, work, ledger, [seed_plan], InboxSettings(settle_seconds=0))
    assert report.plan_id == seed_plan.plan_id and report.outcome == Outcome.ACCEPTED
