"""A Dask worker killed (SIGKILL) while chunks of files are in flight, checked end to end on
a LocalCluster of worker processes with a PostgreSQL ledger: the run completes, the ledger
holds every file once, the datasets equal a local run's, and the run's own Prefect records
end with every chunk task in a final state, none RUNNING or PENDING.

What Prefect 3.9 + prefect-dask record (measured): Dask runs the killed worker's chunk again
on the other worker under the same task run id; its history is PENDING, RUNNING, PENDING,
RUNNING, COMPLETED. When Dask gives up instead (`allowed-failures` reached: KilledWorker),
the chunk stayed RUNNING for ever and a chunk queued on that worker was never recorded;
`flows.dask_runner` now records both Crashed."""

from __future__ import annotations

import contextvars
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster

from bench.bench_ingest import AGENCIES, PERIODS, STATUS, WRITERS
from flows.artifacts import FAILED
from flows.config import Settings
from flows.nightly import INGEST_THREADS, nightly_compliance
from flows.tasks import chunked
from ledger.db import Ledger
from tests.fixtures.dask_run import records, two_worker_cluster, worker_servers
from tests.fixtures.kill_trials import datasets
from tests.fixtures.run_settings import run_settings
from tests.test_scale_out import own_database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.usefixtures("prefect_harness"),
    # Its own test worker (and harness): with the other flow tests it made the "prefect"
    # group the suite's longest path by ~4.5 min.
    pytest.mark.xdist_group("worker_killed"),
]

REPO = Path(__file__).resolve().parents[1]
N_REPORTS = 24  # 8 chunks of 3: each worker holds a chunk for a second or more
KILL_TIMEOUT_S = 600  # the workers' first file (language pipelines) is slow on a busy box
CHUNK = " and the next files"
ALLOWED = "distributed.scheduler.allowed-failures"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def distinct_reports(folder: Path, n: int) -> None:
    """n reports as bench_ingest generates them, but no two of one agency and half-year
    with the same letter date: the report that counts is then the same whatever order the
    workers record them in (a tie is broken by the time first seen)."""
    assert n <= 10 * 28
    suffixes = list(WRITERS)
    for i in range(n):
        agency, lang, measures = AGENCIES[i % len(AGENCIES)]
        entries = [
            ("p", m, STATUS[lang][(i + k) % 2], f"Иш-чара боюнча маалымат №{i}-{k}.")
            for k, m in enumerate(measures)
        ]
        suffix, period = suffixes[i % len(suffixes)], PERIODS[lang][i % 2]
        letter = f"{1 + i // 10:02d}.07.2019 № 12-{i}"  # i % 10 is the agency and half
        path = folder / f"{agency}_{i:04d}{suffix}"
        WRITERS[suffix](path, agency, period, letter, entries, lang)


@dataclass(frozen=True)
class Reference:
    inbox: Path
    workdir: Path
    outcomes: dict
    figures: dict


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    """The generated inbox and a plain local run of it (Prefect's thread pool, SQLite)."""
    root = tmp_path_factory.mktemp("killed-worker")
    inbox = root / "inbox"
    inbox.mkdir()
    distinct_reports(inbox, N_REPORTS)
    local = run_settings(inbox, root / "local")
    summary = nightly_compliance(local)
    assert summary.inbox.processed == N_REPORTS
    return Reference(inbox, local.workdir, by_file(summary.inbox.outcomes), summary.figures)


def by_file(outcomes) -> dict:
    return {o.file: o for o in outcomes}


@pytest.fixture(scope="module")
def two_workers() -> Iterator[LocalCluster]:
    """Two worker processes of one thread, for this module alone (they get killed)."""
    with two_worker_cluster() as cluster:
        yield cluster


def allow_failures(n: int, dask_scheduler=None) -> None:
    """On the scheduler: how many workers may die running a task before Dask fails it."""
    dask_scheduler.allowed_failures = n


@dataclass
class Killer:
    """Kills one busy worker process (SIGKILL) mid-chunk: once the ledger holds a first
    report and the run's records show a chunk RUNNING on each worker (so the killed chunk's
    first try is on record)."""

    cluster: LocalCluster
    url: str
    killed: dict = field(default_factory=dict)  # worker address → pid, once done
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.since = datetime.now(UTC)
        # The harness's Prefect settings are a context variable: the thread takes a copy.
        run = contextvars.copy_context().run
        self.thread = threading.Thread(target=run, args=(self._watch,), daemon=True)

    def _watch(self) -> None:
        deadline = time.monotonic() + KILL_TIMEOUT_S
        with Client(self.cluster) as client, Ledger(self.url) as ledger:
            while not self.stop.is_set() and time.monotonic() < deadline:
                busy = [w for w, keys in client.processing().items() if in_chunks(keys)]
                if len(busy) == 2 and running_chunks(self.since) >= 2 and ledger.reports():
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    self.killed = {busy[0]: pid}
                    return
                time.sleep(0.05)

    def __enter__(self) -> Killer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def in_chunks(keys) -> bool:
    return any("ingest_chunk" in str(k) for k in keys)


def running_chunks(since: datetime) -> int:
    """Chunk task runs started after `since` that the API holds as RUNNING."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterStartTime,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )

    running = TaskRunFilter(
        start_time=TaskRunFilterStartTime(after_=since),
        state=TaskRunFilterState(type=TaskRunFilterStateType(any_=["RUNNING"])),
    )
    with get_client(sync_client=True) as client:
        return sum(r.name.endswith(CHUNK) for r in client.read_task_runs(task_run_filter=running))


def chunk_histories(flow_run_id: str) -> dict[str, list[str]]:
    """Each chunk task run of the flow run (and its sub-flow runs): its states in order."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    with get_client(sync_client=True) as client:
        ids = {client.read_flow_run(flow_run_id).id}
        children = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=list(ids)))
        ids |= {f.id for f in client.read_flow_runs(flow_run_filter=children)}
        of_run = TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=list(ids)))
        runs = client.read_task_runs(task_run_filter=of_run, limit=200)
        return {
            r.name: [s.type.value for s in client.read_task_run_states(r.id)]
            for r in runs
            if r.name.endswith(CHUNK)
        }


def expected_chunks(inbox: Path) -> set[str]:
    """The chunk task names of a run over the whole inbox (sorted, cut for the workers)."""
    chunks = chunked(sorted(inbox.iterdir()), INGEST_THREADS)
    return {f"ingest {c[0].name}{CHUNK}" for c in chunks}


def run_with_a_worker_killed(
    cluster: LocalCluster, inbox: Path, workdir: Path, url: str
) -> tuple[Settings, object, dict]:
    """A nightly run on `cluster` with a ledger at `url`, one busy worker killed mid-chunk;
    the settings and the run's final state (asserted completed)."""
    with Client(cluster) as client:
        client.wait_for_workers(2)
    settings = run_settings(inbox, workdir, dask_address=cluster.scheduler_address, db_url=url)
    with Killer(cluster, url) as killer:
        state = nightly_compliance(settings, return_state=True)
    assert killer.killed, "no worker was killed while a chunk ran"
    assert state.is_completed(), state.message
    return settings, state, killer.killed


def assert_all_recorded_once(url: str, inbox: Path) -> None:
    with Ledger(url) as ledger:
        files = [r.file for r in ledger.reports()]
    assert sorted(files) == sorted(p.name for p in inbox.iterdir())  # each once


def test_a_worker_killed_mid_chunk_has_its_chunk_run_again(
    tmp_path, reference, postgres_url, two_workers
):
    url = own_database(postgres_url, "worker_killed")
    settings, state, killed = run_with_a_worker_killed(
        two_workers, reference.inbox, tmp_path / "work", url
    )
    with Client(two_workers) as client:
        client.wait_for_workers(2)  # the nanny starts a new worker; no Prefect server
        pids = client.run(os.getpid)
        assert len(pids) == 2 and not set(pids.values()) & set(killed.values())
        assert sum(client.run(worker_servers).values()) == 0

    summary = state.result()
    assert by_file(summary.inbox.outcomes) == reference.outcomes
    assert summary.figures == reference.figures
    assert datasets(settings.workdir) == datasets(reference.workdir)
    assert_all_recorded_once(url, reference.inbox)

    flow_run_id = str(state.state_details.flow_run_id)
    found = records(flow_run_id)
    assert found["flow"] == "COMPLETED"
    assert [t for t in found["tasks"] if t[1] != "COMPLETED"] == []
    histories = chunk_histories(flow_run_id)
    assert set(histories) == expected_chunks(reference.inbox)  # one task run per chunk
    rerun = [n for n, h in histories.items() if h.count("RUNNING") > 1]
    assert rerun, histories  # the killed chunk: run again under its task run id
    for name in rerun:
        assert histories[name] == ["PENDING", "RUNNING", "PENDING", "RUNNING", "COMPLETED"]


def test_a_chunk_dask_gives_up_on_is_recorded_crashed(
    tmp_path, reference, postgres_url, two_workers
):
    """With `allowed-failures` 0 Dask fails a killed worker's tasks at once (KilledWorker),
    as it does by default after a task has killed 4 workers. Before: that chunk stayed
    RUNNING in the run's records and a chunk queued on the worker was not recorded at all;
    its files failed as "UnfinishedRun: Run is in RUNNING state"."""
    url = own_database(postgres_url, "worker_given_up")
    two = two_workers
    with Client(two) as client:
        client.wait_for_workers(2)
        client.run_on_scheduler(allow_failures, 0)
    try:
        settings, state, _ = run_with_a_worker_killed(two, reference.inbox, tmp_path / "work", url)
        flow_run_id = str(state.state_details.flow_run_id)
        histories = chunk_histories(flow_run_id)
        assert set(histories) == expected_chunks(reference.inbox)  # none missing
        assert all(h[-1] in FINAL for h in histories.values()), histories
        crashed = {n for n, h in histories.items() if h[-1] == "CRASHED"}
        assert crashed, histories
        assert {h[-1] for n, h in histories.items() if n not in crashed} == {"COMPLETED"}

        outcomes = by_file(state.result().inbox.outcomes)
        assert set(outcomes) == set(reference.outcomes)
        failed = {f for f, o in outcomes.items() if o.outcome == FAILED}
        assert {f"ingest {f}{CHUNK}" for f in failed} >= crashed  # a crashed chunk's files
        assert all(outcomes[f].reason.startswith("KilledWorker: ") for f in failed)

        again = nightly_compliance(settings)  # the next run takes the failed files
        assert {o.file for o in again.inbox.outcomes} <= failed  # (or the ledger had one)
        assert FAILED not in {o.outcome for o in again.inbox.outcomes}
        assert again.inbox.processed + again.inbox.known == N_REPORTS
        with Client(two) as client:
            client.wait_for_workers(2)
            assert sum(client.run(worker_servers).values()) == 0
    finally:
        with Client(two) as client:
            client.run_on_scheduler(allow_failures, dask.config.get(ALLOWED))
    assert again.figures == reference.figures
    assert datasets(settings.workdir) == datasets(reference.workdir)
    assert_all_recorded_once(url, reference.inbox)
