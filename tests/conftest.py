"""Shared fixtures. Heavy ones (Prefect harness, PostgreSQL, Dask) are session-scoped and only
start when a test asks for them."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Prefect on a test machine: offline, quiet, generous start-up (set before Prefect is imported).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

HARNESS_STARTUP_TIMEOUT_S = 300  # ~10-20 s normally; more on a loaded 2-core CI box
POSTGRES_STARTUP_TIMEOUT_S = 60


# --------------------------------------------------------------------------- Prefect


class Held:
    """A heavy resource of this test process, started when a test needs it and stopped as soon
    as the next test of this process does not (`pytest_runtest_teardown` below). A session
    fixture would keep it to the session's end, idle while the worker runs other modules' tests
    for minutes: an idle two-worker Dask cluster costs ~7 CPU-s a minute, a Prefect API ~3.
    Groups (`xdist_group`) reach a worker whole, so a group's tests share one start."""

    def __init__(self, start: Callable[[], contextlib.AbstractContextManager]) -> None:
        self._start = start
        self._stack: contextlib.ExitStack | None = None
        self.value = None

    def get(self):
        if self._stack is None:
            stack = contextlib.ExitStack()
            self.value = stack.enter_context(self._start())
            self._stack = stack
        return self.value

    def stop(self) -> None:
        stack, self._stack, self.value = self._stack, None, None
        if stack is not None:
            stack.close()


@contextlib.contextmanager
def _prefect_harness() -> Iterator[None]:
    from prefect.settings import temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # No flow-run heartbeats, as in `planwatch run` (flows.prefect_env.embedded_run) and in
    # Prefect's own test profile: joining the heartbeat thread costs ~1 s per flow run.
    no_heartbeats = temporary_settings(updates={"flows.heartbeat_frequency": None})
    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_TIMEOUT_S), no_heartbeats:
        yield


def _dask_cluster():
    from tests.fixtures.dask_run import two_worker_cluster

    return two_worker_cluster()


HELD = {"prefect_harness": Held(_prefect_harness), "dask_cluster": Held(_dask_cluster)}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Held resources start before the test's fixtures: a module fixture that runs a flow
    (test_worker_killed's reference run) needs the harness already."""
    for name, held in HELD.items():
        if name in item.fixturenames:
            held.get()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    yield  # the test's own fixtures first (they may still talk to the harness)
    for name, held in HELD.items():
        if nextitem is None or name not in nextitem.fixturenames:
            held.stop()


@pytest.fixture
def prefect_harness() -> None:
    """ONE temporary Prefect API + SQLite database for the flow tests that follow each other
    on a test process (see `Held`). Flow tests also carry `xdist_group("prefect")` so that
    `-n 3 --dist loadgroup` runs them on one worker and the harness starts once."""
    HELD["prefect_harness"].get()


# --------------------------------------------------------------------------- PostgreSQL


def _as_postgres(cmd: list[str]) -> list[str]:
    """root may not run initdb/pg_ctl: run them as Debian's `postgres` user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server from Debian's packages on 127.0.0.1, in a temp dir,
    with an empty `planwatch` database; yields its SQLAlchemy URL."""
    from flows.serve import free_port

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; `make setup` does)")
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="planwatch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                str(POSTGRES_STARTUP_TIMEOUT_S),
                "start",
            ]
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL server: {exc}")
    try:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE planwatch")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/planwatch"
    finally:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def _run(cmd: list[str]) -> None:
    subprocess.run(_as_postgres(cmd), check=True, capture_output=True, cwd="/", timeout=120)


# --------------------------------------------------------------------------- Dask


@pytest.fixture
def dask_cluster():
    """A local Dask cluster of two worker processes, for the DaskTaskRunner path (see `Held`)."""
    return HELD["dask_cluster"].get()


# --------------------------------------------------------------------------- the seed plan

SEED_DECREE = (
    Path(__file__).parents[1]
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)


@pytest.fixture(scope="session")
def seed_plan():
    """The seed decree's plan, read and normalized once per test process (~7 s of CPU)."""
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    return normalize_plan(read_decree(SEED_DECREE))
