"""Scaling out: the same mapped tasks on a Dask cluster (prefect-dask's DaskTaskRunner) with
the ledger in PostgreSQL, as a team with more than one machine would run it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from distributed import Client

from core.model import Outcome
from flows.artifacts import FAILED
from flows.config import Settings, Thresholds
from flows.nightly import nightly_compliance, task_runner_for
from ledger.db import Ledger

REPO = Path(__file__).resolve().parents[1]
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
    assert type(runner).__name__ == "DaskTaskRunner"
    assert runner.address == "tcp://10.0.0.5:8786"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.xdist_group("prefect")
def test_nightly_on_a_dask_cluster_with_a_postgresql_ledger(tmp_path, dask_cluster, postgres_url):
    inbox = small_inbox(tmp_path / "inbox")
    settings = Settings(
        inbox=inbox,
        workdir=tmp_path / "work",
        decrees=(DECREE,),
        as_of=date(2020, 7, 20),
        thresholds=Thresholds(settle_seconds=0),
        dask_address=dask_cluster.scheduler_address,
        db_url=postgres_url,
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
