"""flows.watch: files dropped into the inbox are seen (inotify and polling) and ingested."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from flows.config import Settings, Thresholds, WatchSettings
from flows.watch import InboxWatcher, watch_inbox

SEEN_TIMEOUT_S = 20
INGEST_TIMEOUT_S = 240  # a flow run per batch; generous on a loaded 2-core box


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def started():
    """Run watchers in background threads; stop and join them after the test."""
    running: list[tuple[InboxWatcher, threading.Thread]] = []

    def start(watcher: InboxWatcher) -> InboxWatcher:
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        running.append((watcher, thread))
        time.sleep(0.5)  # let the observer take its first look
        return watcher

    yield start
    for watcher, thread in running:
        watcher.stop()
        thread.join(timeout=10)


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_a_dropped_file_arrives_in_one_debounced_batch(tmp_path: Path, started, polling: bool):
    batches: list[list[Path]] = []
    started(
        InboxWatcher(
            tmp_path, batches.append, polling=polling, poll_seconds=0.3, debounce_seconds=0.5
        )
    )
    report = tmp_path / "БИМ_2019-1.csv"
    with report.open("w", encoding="utf-8") as fh:  # written in pieces, like a slow copy
        for i in range(3):
            fh.write(f"line {i}\n")
            fh.flush()
            time.sleep(0.1)
    (tmp_path / "sub").mkdir()  # folders are not reports
    wait_until(lambda: batches, SEEN_TIMEOUT_S, "the batch")
    time.sleep(1)
    assert batches == [[report]]  # one batch, however many events the copy made


def test_a_failing_batch_does_not_end_the_watch(tmp_path: Path, started):
    calls: list[list[Path]] = []

    def flaky(batch: list[Path]) -> None:
        calls.append(batch)
        if len(calls) == 1:
            raise OSError("network share offline")

    started(InboxWatcher(tmp_path, flaky, polling=True, poll_seconds=0.3, debounce_seconds=0.3))
    (tmp_path / "a.csv").write_text("a")
    wait_until(lambda: len(calls) == 1, SEEN_TIMEOUT_S, "the first batch")
    (tmp_path / "b.csv").write_text("b")
    wait_until(lambda: len(calls) == 2, SEEN_TIMEOUT_S, "the second batch")
    assert calls[1] == [tmp_path / "b.csv"]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_watch_ingests_a_file_shortly_after_it_lands(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = Settings(
        inbox=inbox,
        workdir=tmp_path / "work",
        thresholds=Thresholds(settle_seconds=0),
        watch=WatchSettings(polling=True, poll_seconds=0.5, debounce_seconds=0.5),
    )
    results = []
    watchers: list[InboxWatcher] = []
    thread = threading.Thread(
        target=watch_inbox,
        args=(settings,),
        kwargs={"on_result": results.append, "watcher_ready": watchers.append},
        daemon=True,
    )
    thread.start()
    try:
        wait_until(lambda: watchers, INGEST_TIMEOUT_S, "the first (empty) ingest")
        assert results[0].processed == 0
        (inbox / "ММТМ_2019_1.csv").write_text(
            "Аткаруучу: ММТМ\n2019-жылдын 1-жарым жылдыгы үчүн отчет\n"
            "Чара,Аткарылышы,Статус\n1.1,Иш-чаралар өткөрүлдү,аткарылды\n",
            encoding="utf-8",
        )
        wait_until(lambda: len(results) >= 2, INGEST_TIMEOUT_S, "the file's ingest")
    finally:
        for watcher in watchers:
            watcher.stop()
        thread.join(timeout=30)
    run = results[1]
    assert [o.file for o in run.outcomes] == ["ММТМ_2019_1.csv"]
    files_csv = (settings.out_dir / "files.csv").read_text(encoding="utf-8")
    assert "ММТМ_2019_1.csv" in files_csv  # staff see it the same day
