"""Scaling out: the same mapped tasks on a Dask cluster (prefect-dask's DaskTaskRunner) with
the ledger in PostgreSQL, as a team with more than one machine would run it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from distributed import Client
from prefect_dask import DaskTaskRunner

from core.errors import ConfigError, WorkdirUnreachable
from core.model import Outcome
from flows import tasks
from flows.artifacts import FAILED
from flows.config import Settings
from flows.nightly import INGEST_THREADS, chunk_outcomes, nightly_compliance, task_runner_for
from ledger.db import Ledger
from tests.fixtures.dask_run import records, worker_servers
from tests.fixtures.run_settings import run_settings

REPO = Path(__file__).resolve().parents[1]
DASK_RUN = REPO / "tests" / "fixtures" / "dask_run.py"
DECREE = REPO / "samples" / "decrees" / "decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
SAMPLES = (
    "БИМ_2019-1.xlsx",
    "ММТМ_2019_1.csv",
    "ЭМ_2019-2.docx",
    "ССМ отчет 2020-1 (бузулган).docx",
)


def small_inbox(dest: Path) -> Path:
    dest.mkdir()
    for name in SAMPLES:
        source = REPO / "samples" / "inbox" / name
        if not source.is_file():
            pytest.skip(f"sample report missing: {source} (run `make samples`)")
        shutil.copy2(source, dest / name)
    return dest


def ingest_tasks_run_on(cluster) -> int:
    """How many `ingest_one` task runs the Dask scheduler has seen finish."""

    def count(dask_scheduler) -> int:
        return sum(
            sum(n for state, n in prefix.state_counts.items() if state != "erred")
            for name, prefix in dask_scheduler.task_prefixes.items()
            if "ingest" in name
        )

    with Client(cluster) as client:
        return client.run_on_scheduler(count)


def test_the_dask_runner_is_chosen_by_the_dask_address(tmp_path: Path):
    (tmp_path / "in").mkdir()
    settings = Settings(inbox=tmp_path / "in", workdir=tmp_path / "w")
    assert type(task_runner_for(settings)).__name__ == "ThreadPoolTaskRunner"  # bounded
    runner = task_runner_for(settings.model_copy(update={"dask_address": "tcp://10.0.0.5:8786"}))
    assert isinstance(runner, DaskTaskRunner)
    assert runner.address == "tcp://10.0.0.5:8786"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_nightly_on_a_dask_cluster_with_a_postgresql_ledger(tmp_path, dask_cluster, postgres_url):
    inbox = small_inbox(tmp_path / "inbox")
    settings = run_settings(
        inbox, tmp_path / "work", dask_address=dask_cluster.scheduler_address, db_url=postgres_url
    )
    state = nightly_compliance(settings, return_state=True)
    assert state.is_completed(), state.message
    run = state.result().inbox
    outcomes = {o.file: o.outcome for o in run.outcomes}
    assert set(outcomes) == set(SAMPLES)
    assert FAILED not in outcomes.values()
    assert outcomes["ССМ отчет 2020-1 (бузулган).docx"] == Outcome.REJECTED
    assert outcomes["БИМ_2019-1.xlsx"] == Outcome.ACCEPTED
    assert ingest_tasks_run_on(dask_cluster) >= len(SAMPLES)  # the work ran on Dask
    with Client(dask_cluster) as client:  # the workers used the run's API, started none
        assert sum(client.run(worker_servers).values()) == 0
    assert_every_file_task_recorded(records(str(state.state_details.flow_run_id)))

    # The ledger is in PostgreSQL, not in a SQLite file under the workdir.
    assert not (settings.workdir / "ledger.sqlite").exists()
    with Ledger(postgres_url) as ledger:
        assert {r.file for r in ledger.reports()} == set(SAMPLES)
        assert [p.plan_id for p in ledger.plans()] == ["nap-2018-2020"]
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.dialect.name == "postgresql"
    engine.dispose()

    again = nightly_compliance(settings)
    assert (again.inbox.processed, again.inbox.known) == (0, len(SAMPLES))
    assert again.figures == state.result().figures


def assert_every_file_task_recorded(found: dict) -> None:
    """The run's own Prefect records hold one completed chunk task per inbox file (four
    files on 2×4 chunks: one file each), and no task run is left unfinished."""
    assert len(SAMPLES) <= 2 * INGEST_THREADS  # so each chunk task is one file
    assert found["flow"] == "COMPLETED"
    chunks = {n for n, _ in found["tasks"] if n.endswith(" and the next files")}
    assert chunks == {f"ingest {name} and the next files" for name in SAMPLES}
    unfinished = [(n, s) for n, s in found["tasks"] if s != "COMPLETED"]
    assert unfinished == []


def operator_env() -> dict[str, str]:
    """The environment of `planwatch run` on a machine without a Prefect server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(REPO)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "600"  # a busy CI box
    env["PREFECT_LOGGING_LEVEL"] = "WARNING"
    return env


def run_as_an_operator(tmp_path: Path, workers: int, db_url: str | None = None) -> dict:
    """`planwatch run` in a process of its own, no PREFECT_API_URL (the embedded API), on
    `workers` Dask workers (0: locally); then the run's records as a later process reads
    them from the Prefect database it left, after its shutdown."""
    inbox, workdir = small_inbox(tmp_path / "inbox"), tmp_path / "work"
    env = operator_env()
    run = [sys.executable, str(DASK_RUN), str(workdir), str(inbox), str(DECREE), str(workers)]
    done = subprocess.run([*run, *([db_url] if db_url else [])], env=env, **CAPTURE)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Error flushing" not in done.stderr, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["completed"], result["message"]
    assert {f: o for f, (o, _) in result["outcomes"].items()} == {
        "БИМ_2019-1.xlsx": Outcome.ACCEPTED,
        "ММТМ_2019_1.csv": Outcome.ACCEPTED,
        "ЭМ_2019-2.docx": Outcome.ACCEPTED,
        "ССМ отчет 2020-1 (бузулган).docx": Outcome.REJECTED,
    }
    query = [sys.executable, str(DASK_RUN), "--records", str(workdir), result["flow_run_id"]]
    done = subprocess.run(query, env=env, **CAPTURE)
    assert done.returncode == 0, done.stderr[-3000:]
    return {**result, "records": json.loads(done.stdout.strip().splitlines()[-1])}


CAPTURE = {"capture_output": True, "text": True, "timeout": 900}


def own_database(postgres_url: str, name: str) -> str:
    """A new, empty database on the session's server (its `planwatch` database already
    holds the other test's reports); its URL."""
    import psycopg

    server = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{postgres_url.rsplit('/', 1)[0]}/{name}"


@pytest.mark.slow
@pytest.mark.postgres
def test_without_a_prefect_server_the_workers_report_to_the_runs_embedded_api(
    tmp_path, postgres_url
):
    """`planwatch run --dask-address` with no PREFECT_API_URL: the run's embedded API is
    given to the workers. Before: each worker started a temporary server of its own (2 of 2
    here) and the run's records lacked their tasks. Read back after the run's shutdown:
    every file's task completed, none left RUNNING."""
    result = run_as_an_operator(tmp_path, 2, own_database(postgres_url, "operator_run"))
    assert result["worker_servers"] == 0
    assert_every_file_task_recorded(result["records"])


@pytest.mark.slow
def test_a_local_runs_records_are_final_when_it_exits(tmp_path):
    """Before: the embedded API was stopped while it still wrote the last task states
    ("Error flushing N events" at exit) and those tasks stayed RUNNING in its records."""
    assert_every_file_task_recorded(run_as_an_operator(tmp_path, 0)["records"])


def test_a_scheduler_on_another_machine_needs_a_prefect_server(tmp_path):
    from flows.prefect_env import served_to_workers

    refused = pytest.raises(ConfigError, match="PREFECT_API_URL")
    with refused as caught, served_to_workers("tcp://10.0.0.5:8786"):
        pass
    assert "\n" not in str(caught.value)


def test_a_workdir_the_task_cannot_see_fails_with_one_line(tmp_path):
    missing = tmp_path / "not-mounted" / "work"
    with pytest.raises(WorkdirUnreachable) as caught:
        tasks.check_workdir(missing)
    assert str(caught.value).startswith(f"{missing}: workdir not found on ")
    assert "\n" not in str(caught.value)
    assert not missing.exists()  # not created on a worker that lacks the share
    tasks.check_workdir(tmp_path)  # a workdir that is there: no error


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_a_chunk_on_a_worker_without_the_workdir_archives_nothing(tmp_path):
    from prefect import flow

    inbox = small_inbox(tmp_path / "inbox")
    paths = sorted(inbox.iterdir())
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    missing = tmp_path / "share" / "work"

    @flow
    def chunk_outcomes_of_one_chunk():  # a failed state returned would fail this flow
        future = tasks.ingest_chunk.submit(paths, url, [], missing)
        future.wait()
        return chunk_outcomes(paths, future.state)

    outcomes = chunk_outcomes_of_one_chunk()
    assert {o.outcome for o in outcomes} == {FAILED}
    assert {o.reason for o in outcomes} == {
        f"WorkdirUnreachable: {missing}: workdir not found on {socket.gethostname()} "
        "(mount it at the same path)"
    }
    assert not missing.exists() and sorted(inbox.iterdir()) == paths  # nothing moved
    with Ledger(url) as ledger:
        assert ledger.reports() == []


@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_a_chunk_dask_gave_up_on_is_recorded_crashed_not_left_running():
    """Dask fails a task whose workers kept dying (KilledWorker) without a word to Prefect:
    before, the chunk stayed RUNNING in the run's records (or, not yet started, was missing)
    and its files failed as "UnfinishedRun". The driver records it Crashed, with Dask's
    reason, and its files fail with that reason (the end-to-end kill: test_worker_killed)."""
    from types import SimpleNamespace
    from uuid import uuid4

    from distributed.scheduler import KilledWorker
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext
    from prefect.states import Running

    from flows.dask_runner import CrashAwareFuture

    chunks = [[Path("/share/inbox/a.csv"), Path("/share/inbox/b.docx")], [Path("/x/c.pdf")]]
    worker = SimpleNamespace(address="tcp://10.0.0.7:40211")  # the WorkerState's address
    lost = KilledWorker("ingest_chunk-1f2e", worker, allowed_failures=3)

    @flow
    def two_chunks_lost() -> tuple[str, list]:
        flow_run_id = FlowRunContext.get().flow_run.id
        futures = []
        for chunk in chunks:
            parameters = {"paths": chunk, "url": "u", "plan_shas": [], "workdir": Path("/w")}
            args = (uuid4(), None, tasks.ingest_chunk, parameters, flow_run_id)
            futures.append(CrashAwareFuture(*args))
        with get_client(sync_client=True) as client:  # the first one had started on a worker
            client.create_task_run(
                tasks.ingest_chunk,
                flow_run_id,
                dynamic_key="0",
                id=futures[0].task_run_id,
                name="ingest a.csv and the next files",
                state=Running(),
            )
        states = [f._record_crash(lost) for f in futures]
        outcomes = [chunk_outcomes(c, s) for c, s in zip(chunks, states, strict=True)]
        return str(flow_run_id), outcomes

    flow_run_id, outcomes = two_chunks_lost()
    assert records(flow_run_id)["tasks"] == [
        ["ingest a.csv and the next files", "CRASHED"],
        ["ingest c.pdf and the next files", "CRASHED"],  # recorded though never started
    ]
    reasons = {o.file: (o.outcome, o.reason.split(":")[0]) for c in outcomes for o in c}
    assert reasons == {name: (FAILED, "KilledWorker") for name in ("a.csv", "b.docx", "c.pdf")}
