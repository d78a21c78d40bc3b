"""The ledger's schema through Alembic: fresh, upgraded from release 0.1, under concurrency;
and the `failed` outcome's retry cycle, sightings and runs that the new revisions carry."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.model import Outcome
from ledger import schema
from ledger.db import Ledger
from ledger.inbox import InboxSettings, ingest_file, scan_inbox
from ledger.tables import metadata

RELEASE_0_1 = Path(__file__).parent / "data/ledger/release-0.1.sqlite"
SAMPLES = Path(__file__).parents[1] / "samples/inbox"
CRASHED = "БИМ_2020-1.xlsx"  # the file 0.1 recorded as "unexpected error"
NO_WAIT = InboxSettings(settle_seconds=0)


def _sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("plans", "files", "entries")
        }


def test_fresh_ledger_matches_the_table_objects(tmp_path):
    with Ledger.for_workdir(tmp_path) as ledger, ledger.engine.connect() as conn:
        assert schema.current(conn) == schema.head()
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_release_0_1_ledger_is_upgraded_in_place_with_nothing_lost(tmp_path, seed_plan):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(RELEASE_0_1, work / "ledger.sqlite")
    before = _sqlite_counts(work / "ledger.sqlite")
    with Ledger.for_workdir(work) as ledger:
        reports = {r.file: r for r in ledger.reports()}
        assert _sqlite_counts(work / "ledger.sqlite") == before  # nothing lost
        assert len(reports) == before["files"] == 14
        assert reports[CRASHED].outcome == Outcome.FAILED  # the 0.1 crash is no verdict
        assert reports["ССМ отчет 2020-1 (бузулган).docx"].outcome == Outcome.REJECTED
        assert sorted(s.name for s in ledger.sightings()) == sorted(reports)
        assert [p.plan_id for p in ledger.plans()] == [seed_plan.plan_id]
        # the next night reads the crashed file again (the reader no longer crashes)
        scan_inbox(SAMPLES, work, ledger, [seed_plan], NO_WAIT)
        again = {r.file: r for r in ledger.reports()}
        assert again[CRASHED].outcome == Outcome.ACCEPTED and again[CRASHED].entries
        others = {n: r for n, r in again.items() if n != CRASHED}
        assert others == {n: r for n, r in reports.items() if n != CRASHED}


def test_opening_twice_is_a_no_op(tmp_path):
    Ledger.for_workdir(tmp_path).close()
    with Ledger.for_workdir(tmp_path) as ledger, ledger.engine.connect() as conn:
        assert schema.current(conn) == schema.head()


OPEN_LEDGER = "import sys; from ledger.db import Ledger; Ledger(sys.argv[1]).close(); print('ok')"


def test_concurrent_first_opens_of_one_ledger_both_succeed(tmp_path):
    """Two processes creating one fresh ledger at once: no 'table already exists'."""
    for trial in range(3):
        url = f"sqlite:///{tmp_path / f'ledger-{trial}.sqlite'}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_LEDGER, url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outs
        with Ledger(url) as ledger, ledger.engine.connect() as conn:
            assert schema.current(conn) == schema.head()


# --------------------------------------------------------------------------- failed, retried


@pytest.fixture
def crashing_reader(monkeypatch):
    """A reader that crashes while `state['crash']` is true (a planwatch bug, then fixed)."""
    import extractors.reports

    state = {"crash": True, "calls": 0}
    real = extractors.reports.read_document

    def reader(path, *args, **kwargs):
        state["calls"] += 1
        if state["crash"]:
            raise KeyError("[E018] Can't retrieve string for hash '42'")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(extractors.reports, "read_document", reader)
    return state


def test_a_crash_is_retried_each_run_until_it_reads(tmp_path, seed_plan, crashing_reader):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    shutil.copy(SAMPLES / CRASHED, inbox / CRASHED)
    with Ledger.for_workdir(work) as ledger:
        first = ingest_file(inbox / CRASHED, ledger, [seed_plan], work)
        assert first.outcome == Outcome.FAILED and "KeyError" in first.reason
        assert ledger.known_files([first.sha256]) == set()  # not final: read again
        crashing_reader["crash"] = False  # the bug is fixed by the next night
        second = ingest_file(inbox / CRASHED, ledger, [seed_plan], work)
        assert second.outcome == Outcome.ACCEPTED and second.entries
        assert ledger.report(second.sha256) == second
        assert ledger.known_files([second.sha256]) == {second.sha256}
        assert not list(work.glob("archive/*/*.xlsx"))[1:]  # one copy, not two


def test_a_file_that_keeps_failing_stays_failed_and_says_so(tmp_path, seed_plan, crashing_reader):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    shutil.copy(SAMPLES / CRASHED, inbox / CRASHED)
    settings = InboxSettings(settle_seconds=0, max_tries=2)
    with Ledger.for_workdir(work) as ledger:
        tries = [
            ingest_file(inbox / CRASHED, ledger, [seed_plan], work, settings=settings)
            for _ in range(4)
        ]
    assert [r.tries for r in tries] == [1, 2, 2, 2]
    assert crashing_reader["calls"] == 2  # given up after max_tries
    assert tries[-1].outcome == Outcome.FAILED
    assert tries[-1].reason.startswith("failed 2 times, not retried")


# --------------------------------------------------------------------------- sightings, runs


def test_every_name_is_a_sighting_even_for_the_same_bytes(tmp_path, seed_plan):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    shutil.copy(SAMPLES / "БИМ_2019-1.xlsx", inbox / "БИМ_2019-1.xlsx")
    shutil.copy(SAMPLES / "БИМ_2019-1.xlsx", inbox / "Маалымат БИМ (кайра жиберилди).xlsx")
    with Ledger.for_workdir(work) as ledger:
        scan_inbox(inbox, work, ledger, [seed_plan], NO_WAIT)
        first_night = ledger.sightings()
        scan_inbox(inbox, work, ledger, [seed_plan], NO_WAIT)  # the same two names again
        assert len(ledger.reports()) == 1
        seen = ledger.sightings()
    assert seen == first_night
    assert sorted(s.name for s in seen) == sorted(p.name for p in inbox.iterdir())
    assert len({s.sha256 for s in seen}) == 1 and all(s.mtime for s in seen)


def test_runs_are_recorded_and_the_previous_one_found(tmp_path):
    with Ledger.for_workdir(tmp_path) as ledger:
        assert ledger.previous_run() is None
        rows = [{"measure_id": "1.1", "agency": "БИМ", "overdue": True}]
        first = ledger.record_run(["nap-2018-2020"], date(2020, 1, 20), {"overdue": 1}, rows)
        second = ledger.record_run(["nap-2018-2020"], date(2020, 7, 20), {"overdue": 0}, [])
        assert ledger.previous_run(second).run_id == first
        assert ledger.previous_run(second).rows == tuple(rows)
        assert ledger.previous_run(date(2020, 3, 1)).counts == {"overdue": 1}
        assert ledger.previous_run().run_id == second
        assert [r.as_of for r in ledger.runs()] == [date(2020, 1, 20), date(2020, 7, 20)]
        assert ledger.runs()[0].created_at <= datetime.now(UTC).replace(tzinfo=None)
