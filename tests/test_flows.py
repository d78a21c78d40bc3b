"""flows: task logic through `.fn` (fast, no API), then the flows end to end under ONE
session-scoped Prefect harness (tests marked `xdist_group("prefect")` share a worker)."""

from __future__ import annotations

import hashlib
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from prefect.logging import disable_run_logger
from prefect.states import Failed

from core.model import Outcome, Report
from flows import tasks
from flows.artifacts import (
    AGENCIES_KEY,
    DUPLICATE,
    FAILED,
    SUMMARY_KEY,
    FileOutcome,
    InboxRun,
    NightlySummary,
    agency_records,
    json_safe,
    summary_markdown,
)
from flows.config import Settings, Thresholds
from flows.nightly import (
    chunk_outcomes,
    nightly_compliance,
    reporting_progress,
    state_to_outcome,
)

REPO = Path(__file__).resolve().parents[1]
DECREE = REPO / "samples" / "decrees" / "decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
SAMPLE_INBOX = REPO / "samples" / "inbox"
AS_OF = date(2020, 7, 20)
DATASETS = ("compliance.csv", "compliance.parquet", "submissions.csv", "submissions.parquet")

flow_test = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.xdist_group("prefect")]


def sample_inbox(dest: Path) -> Path:
    """A private copy of the bundled sample inbox (generated when the checkout has none)."""
    files = [p for p in SAMPLE_INBOX.iterdir() if p.is_file() and p.name != "README.md"]
    if files:
        dest.mkdir(parents=True)
        for p in files:
            shutil.copy2(p, dest / p.name)
    else:
        sys.path.insert(0, str(REPO / "scripts"))
        from make_sample_inbox import make_inbox

        make_inbox(dest)
    return dest


def make_settings(tmp_path: Path, inbox: Path, **changes) -> Settings:
    values = dict(
        inbox=inbox,
        workdir=tmp_path / "work",
        decrees=(DECREE,),
        as_of=AS_OF,
        thresholds=Thresholds(settle_seconds=0),
    )
    return Settings(**{**values, **changes})


def csv_report(
    path: Path, agency: str = "БИМ", period: str = "2019-жылдын 1-жарым жылдыгы"
) -> Path:
    path.write_text(
        f"Аткаруучу: {agency}\n{period} үчүн отчет\nЧара,Аткарылышы,Статус\n"
        "1.1,Иш-чаралар өткөрүлдү,аткарылды\n",
        encoding="utf-8",
    )
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- tasks via .fn


def test_ingest_one_records_a_file_and_raises_only_for_an_unreadable_one(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = csv_report(inbox / "report.csv")
    settings = make_settings(tmp_path, inbox, decrees=())
    url = tasks.ledger_url(settings)
    with disable_run_logger():
        report = tasks.ingest_one(good, url, [], settings.workdir)
        assert report.sha256 == digest(good)
        assert tasks.open_ledger(url).has_file(report.sha256)
        new, duplicates, known, skipped = tasks.list_new_files.fn(inbox, url, 0)
        assert (new, duplicates, known, skipped) == ([], [], 1, [])  # the ledger's sha256 decides
        (inbox / "late.csv").write_bytes(good.read_bytes() + b"\n")
        shutil.copy(inbox / "late.csv", inbox / "copy of late.csv")
        (inbox / "old").mkdir()  # named, with why, in the same look
        new, duplicates, known, skipped = tasks.list_new_files.fn(inbox, url, 0)
        assert [name for name, _ in skipped] == ["old"]
        assert [p.name for p in new] == ["copy of late.csv"]  # first name in sorted order
        assert [(c.name, f.name) for c, f in duplicates] == [("late.csv", "copy of late.csv")]
        assert known == 1
        with pytest.raises(tasks.UnreadableInboxFile):
            tasks.ingest_one(inbox / "vanished.csv", url, [], settings.workdir)


def test_only_unknown_files_wait_for_the_settle_check(tmp_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = make_settings(tmp_path, inbox, decrees=())
    url = tasks.ledger_url(settings)
    with disable_run_logger():
        tasks.ingest_one(csv_report(inbox / "known.csv"), url, [], settings.workdir)
        growing = inbox / "growing.csv"
        waits: list[float] = []

        def copy_goes_on(seconds: float) -> None:  # the settle pause: the copy is not done
            waits.append(seconds)
            with growing.open("a", encoding="utf-8") as fh:
                fh.write("1.2,Дагы бир сап,аткарылды\n")

        monkeypatch.setattr("ledger.listing.time.sleep", copy_goes_on)
        assert tasks.list_new_files.fn(inbox, url, 2.0) == ([], [], 1, [])
        assert waits == []  # a night with nothing new never waits
        csv_report(growing, agency="ССМ")
        assert tasks.list_new_files.fn(inbox, url, 2.0) == ([], [], 1, [])
        assert waits == [2.0]  # changed during the pause: left for the next run
        monkeypatch.setattr("ledger.listing.time.sleep", waits.append)
        assert tasks.list_new_files.fn(inbox, url, 2.0) == ([growing], [], 1, [])


def test_only_io_failures_are_retried():
    assert tasks.retry_on_io(None, None, Failed(data=OSError("share offline")))
    assert tasks.retry_on_io(None, None, Failed(data=tasks.UnreadableInboxFile("gone")))
    assert not tasks.retry_on_io(None, None, Failed(data=ValueError("a bug")))
    assert tasks.ingest_chunk.retries == tasks.IO_RETRIES
    assert tasks.compliance.retries == 0  # a pure transform: nothing to retry


def test_every_mapped_state_becomes_an_outcome():
    failed = state_to_outcome(Path("/in/a.docx"), Failed(data=OSError("share offline")))
    assert failed == FileOutcome("a.docx", FAILED, "OSError: share offline")
    run = InboxRun((failed, FileOutcome("b.csv", "accepted")), known=3)
    assert (run.processed, run.count(FAILED), run.count("accepted"), run.known) == (2, 1, 1, 3)
    chunk = [Path("/in/c.xlsx"), Path("/in/d.pdf")]
    whole = chunk_outcomes(chunk, Failed(data=OSError("ledger locked")))
    assert [(o.file, o.outcome) for o in whole] == [("c.xlsx", FAILED), ("d.pdf", FAILED)]


def test_files_are_cut_into_a_few_chunks_per_worker():
    files = [Path(f"/in/{i:03}.csv") for i in range(500)]
    chunks = tasks.chunked(files, workers=4)
    assert [p for c in chunks for p in c] == files  # every file once, in order
    assert len(chunks) == 10 and max(map(len, chunks)) == tasks.FILES_PER_CHUNK_MAX
    assert [len(c) for c in tasks.chunked(files[:18], workers=4)] == [3] * 6
    assert [len(c) for c in tasks.chunked(files[:3], workers=4)] == [1, 1, 1]
    assert tasks.chunked([], workers=4) == []


def test_a_chunk_retries_a_file_that_blinked_and_keeps_its_neighbours(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = [csv_report(inbox / "a.csv"), csv_report(inbox / "b.csv", agency="ССМ")]
    (inbox / "c.csv").write_bytes(b"")  # its reader crashes (below): a bug, not retried
    settings = make_settings(tmp_path, inbox, decrees=())
    url = tasks.ledger_url(settings)
    real, calls = tasks.ingest_file, []

    def blinks_once(path, *args, **kwargs):
        calls.append(Path(path).name)
        if Path(path).name == "b.csv" and calls.count("b.csv") == 1:
            raise OSError("share blinked")
        if Path(path).name == "c.csv":
            raise ValueError("a reader's bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(tasks, "ingest_file", blinks_once)
    monkeypatch.setattr(tasks, "IO_RETRY_DELAYS", [0, 0])
    with disable_run_logger():
        results = tasks.ingest_chunk.fn([*files, inbox / "c.csv"], url, [], settings.workdir)
    assert calls == ["a.csv", "b.csv", "b.csv", "c.csv"]  # the bug is not retried
    assert [r.report.file for r in results[:2]] == ["a.csv", "b.csv"]
    assert results[2].report is None and results[2].error == "ValueError: a reader's bug"


def test_a_chunk_logs_one_line_naming_only_the_files_that_need_a_look():
    def result(name: str, outcome: Outcome) -> tasks.FileResult:
        report = Report(name, "ab" * 32, 10, datetime(2020, 7, 1), outcome, "why")
        return tasks.FileResult(Path("/in") / name, report)

    results = [
        result("a.csv", Outcome.ACCEPTED),
        result("b.docx", Outcome.NEEDS_REVIEW),
        result("c.pdf", Outcome.REJECTED),
        tasks.FileResult(Path("/in/d.doc"), error="OSError: share offline"),
        result("e.xlsx", Outcome.ACCEPTED),
        tasks.FileResult(
            Path("/in") / (b"\xce\xf2\xf7\xe5\xf2.txt").decode("utf-8", "surrogateescape")
        ),
    ]
    assert tasks.chunk_line(results).splitlines() == [
        "6 file(s): 2 accepted, 2 failed, 1 needs_review, 1 rejected",
        "  c.pdf: rejected",
        "  d.doc: failed",
        "  Отчет.txt: failed",  # a cp1251 name as the ledger shows it, no lone surrogates
    ]


def test_artifact_records_are_json_safe():
    agencies = pd.DataFrame(
        {
            "agency": ["БИМ", "ССМ"],
            "measures": pd.array([3, 5], dtype="Int64"),
            "overdue": [1, 4],
            "unreported": [0, float("nan")],
            "expected": [2, 2],
            "received": [pd.Timestamp("2020-07-03"), pd.NaT],
        }
    )
    records = agency_records(agencies)
    assert records[0] == {
        "agency": "ССМ",
        "measures": 5,
        "overdue": 4,
        "unreported": None,
        "expected": 2,
        "received": None,
    }
    assert records[1]["received"] == "2020-07-03T00:00:00"
    assert json_safe({"as_of": date(2020, 7, 20), "n": pd.NA}) == {"as_of": "2020-07-20", "n": None}


def test_summary_lists_the_files_that_need_a_look():
    run = InboxRun(
        (
            FileOutcome("ok.xlsx", "accepted"),
            FileOutcome("broken|name.pdf", "rejected", "corrupt PDF"),
            FileOutcome("net.docx", FAILED, "OSError: share offline"),
        )
    )
    summary = NightlySummary(
        AS_OF, ("nap-2018-2020",), run, (Path("/w/out/overdue-2020-07-20.xlsx"),)
    )
    text = summary_markdown(summary)
    assert "`/w/out/overdue-2020-07-20.xlsx`" in text
    assert "| broken\\|name.pdf | rejected | corrupt PDF |" in text
    assert "| net.docx | failed | OSError: share offline |" in text
    assert "ok.xlsx" not in text


# --------------------------------------------------------------------------- flows


def artifacts_of(flow_run_id) -> dict[str, object]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a.data for a in found}


def subflows_of(flow_run_id) -> list[str]:
    """The names of the flows run as sub-flows of this flow run."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id])
            )
        )
        return sorted(client.read_flow(run.flow_id).name for run in runs)


def chunk_runs_of(flow_run_id) -> list[str]:
    """The state types of this flow run's own chunk task runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return [r.state_type.value for r in runs if r.task_key.startswith("ingest_chunk")]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_nightly_twice_on_the_sample_inbox(tmp_path: Path, monkeypatch):
    decree_reads = []  # the decree is hashed once a night, even on the night that loads it
    real_sha256 = tasks.file_sha256
    monkeypatch.setattr(
        tasks,
        "file_sha256",
        lambda path: decree_reads.append(Path(path)) or real_sha256(path),
    )
    inbox = sample_inbox(tmp_path / "inbox")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    n_files = len(list(inbox.iterdir()))
    (inbox / "passwd.txt").symlink_to("/etc/passwd")  # never read: named as skipped
    (inbox / "2019 папка").mkdir()
    settings = make_settings(tmp_path, inbox)

    state = nightly_compliance(settings, return_state=True)
    assert state.is_completed(), state.message
    first = state.result()
    assert first.inbox.processed == n_files and first.inbox.known == 0
    assert first.inbox.count(FAILED) == 0
    copy = next(o for o in first.inbox.outcomes if o.file == "Копия БИМ_2019-1.xlsx")
    assert (copy.outcome, copy.reason) == (DUPLICATE, "same bytes as БИМ_2019-1.xlsx")
    broken = next(o for o in first.inbox.outcomes if o.file == "broken.pdf")
    assert broken.outcome == Outcome.REJECTED and broken.reason
    assert first.workbook == settings.out_dir / "overdue-2020-07-20.ky.xlsx"
    assert first.workbook.is_file()
    assert first.figures["overdue"] > 0 and first.figures["unreported"] > 0
    artifacts = artifacts_of(state.state_details.flow_run_id)
    assert "broken.pdf" in artifacts[SUMMARY_KEY] and str(first.workbook) in artifacts[SUMMARY_KEY]
    assert {name for name, _ in first.inbox.skipped} == {"passwd.txt", "2019 папка"}
    assert "passwd.txt" in artifacts[SUMMARY_KEY]
    assert AGENCIES_KEY in artifacts
    hashes = {name: digest(settings.out_dir / name) for name in DATASETS}

    # the chunks are task runs of the nightly run itself: one per chunk, none unfinished
    assert subflows_of(state.state_details.flow_run_id) == ["load-plan"]
    assert decree_reads.count(DECREE) == 1
    chunks = chunk_runs_of(state.state_details.flow_run_id)
    assert chunks and all(c == "COMPLETED" for c in chunks)

    state = nightly_compliance(settings, return_state=True)
    second = state.result()
    assert subflows_of(state.state_details.flow_run_id) == []  # nothing to load or ingest
    assert decree_reads.count(DECREE) == 2
    assert second.inbox.processed == 0  # nothing new: the ledger knows every sha256
    assert second.inbox.known == n_files
    assert {name: digest(settings.out_dir / name) for name in DATASETS} == hashes
    assert second.figures == first.figures


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_a_failing_file_is_accounted_for_and_never_fails_the_flow(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = csv_report(inbox / "a-good.csv")
    csv_report(inbox / "b-offline.csv", agency="ССМ")
    real = tasks.ingest_file

    def share_goes_offline(path, *args, **kwargs):
        if Path(path).name == "b-offline.csv":
            raise OSError("network share offline")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(tasks, "ingest_file", share_goes_offline)
    monkeypatch.setattr(tasks, "IO_RETRY_DELAYS", [0, 0])
    settings = make_settings(tmp_path, inbox, decrees=())

    seen: list[tuple[int, int]] = []
    with reporting_progress(lambda done, total: seen.append((done, total))):
        state = nightly_compliance(settings, return_state=True)
    assert seen and seen[-1] == (2, 2)  # progress as chunks end, up to every new file
    assert state.is_completed(), state.message
    run = state.result().inbox
    outcomes = {o.file: o for o in run.outcomes}
    assert set(outcomes) == {"a-good.csv", "b-offline.csv"}  # every file accounted for
    assert outcomes["b-offline.csv"].outcome == FAILED
    assert "network share offline" in outcomes["b-offline.csv"].reason
    assert outcomes["a-good.csv"].outcome != FAILED
    ledger = tasks.open_ledger(tasks.ledger_url(settings))
    assert ledger.has_file(digest(good))
    assert not ledger.has_file(digest(inbox / "b-offline.csv"))  # the next run tries again
    summary = artifacts_of(state.state_details.flow_run_id)[SUMMARY_KEY]
    assert "b-offline.csv | failed" in summary


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_second_night_reads_every_new_report_like_a_single_scan(tmp_path: Path):
    """Night 1 loads the plan and half the reports; night 2 starts cold (as a new process
    does) with the plan already in the ledger and new files arriving: the ingest threads
    build the language pipelines at the same moment. Every file must end as a plain scan of
    all of them says — in 0.1, 21 of 24 were rejected with spaCy's E018 for good."""
    from core.once import clear_every_cache
    from ledger.db import Ledger
    from ledger.inbox import InboxSettings, scan_inbox

    everything = sample_inbox(tmp_path / "all")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = sorted(p.name for p in everything.iterdir())
    for name in names[::2]:
        shutil.copy2(everything / name, inbox / name)
    settings = make_settings(tmp_path, inbox)
    assert nightly_compliance(settings, return_state=True).is_completed()

    clear_every_cache()
    for name in names[1::2]:
        shutil.copy2(everything / name, inbox / name)
    state = nightly_compliance(settings, return_state=True)
    assert state.is_completed(), state.message
    second = state.result()
    assert second.inbox.count(FAILED) == 0
    assert not [o for o in second.inbox.outcomes if "E018" in o.reason]

    with Ledger.for_workdir(tmp_path / "plain") as plain:
        from extractors.decree import read_decree
        from normalizers.plan_normalize import normalize_plan

        plan = [normalize_plan(read_decree(DECREE))]
        scan_inbox(everything, tmp_path / "plain", plain, plan, InboxSettings(settle_seconds=0))
        expected = {r.file: (r.outcome, len(r.entries)) for r in plain.reports()}
    ledger = tasks.open_ledger(tasks.ledger_url(settings))
    got = {r.file: (r.outcome, len(r.entries)) for r in ledger.reports()}
    assert got == expected


def test_a_chunk_whose_first_name_is_not_utf8_gets_a_name_its_events_can_carry():
    from prefect._internal.engine import resolve_custom_task_run_name

    from flows.dask_runner import task_run_name
    from ledger.listing import display_name

    name = (b"\xce\xf2\xf7\xe5\xf2 \xc1\xc8\xcc.txt").decode("utf-8", "surrogateescape")  # cp1251
    parameters = {"paths": [Path("/inbox") / name, Path("/inbox/b.csv")]}
    shown = display_name(name)[0]
    assert shown == "Отчет БИМ.txt"
    want = f"ingest {shown} and the next files"
    assert resolve_custom_task_run_name(tasks.ingest_chunk, parameters) == want  # Prefect's
    assert task_run_name(tasks.ingest_chunk, parameters) == want  # the Dask runner's records
    want.encode("utf-8")  # no lone surrogates left: the run's events can be sent
