"""Environment for Prefect on a fresh, offline machine: no telemetry, no hanging start-up.

Call `prepare_prefect_env` before Prefect is imported (Prefect reads its settings from the
environment at import time). Values the user already set always win. `embedded_run` wraps a
run on the embedded API (settings that only make sense with a long-lived server are off).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from core.errors import ConfigError
from flows.embedded_api import adopt_early, early_server

PREFECT_DIR = ".prefect"  # under the workdir, unless the user has a ~/.prefect profile
HEARTBEAT_SETTING = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
LOOPBACK = {"127.0.0.1", "localhost", "::1", None}  # None: a bare in-process address
EPHEMERAL_STARTUP_TIMEOUT_S = 120
SETTLE_TIMEOUT_S = 20.0  # at most, at the end of a run, for the API to write task states
SETTLE_POLL_S = 0.2  # Prefect's default (20 s) is too short on a busy 2-core box

QUIET_OFFLINE = {
    "DO_NOT_TRACK": "1",  # client-side SDK telemetry
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # the server's telemetry heartbeat
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": str(EPHEMERAL_STARTUP_TIMEOUT_S),
}


def prepare_prefect_env(workdir: Path, env: MutableMapping[str, str] | None = None) -> None:
    """Quiet, offline defaults; PREFECT_HOME under the workdir on a machine without a profile,
    so the embedded run keeps its SQLite database next to the ledger."""
    env = os.environ if env is None else env
    for key, value in QUIET_OFFLINE.items():
        env.setdefault(key, value)
    has_profile = (Path.home() / ".prefect" / "profiles.toml").is_file()
    if "PREFECT_HOME" not in env and not has_profile:
        home = Path(workdir).resolve() / PREFECT_DIR
        home.mkdir(parents=True, exist_ok=True)  # Prefect creates its home, but not parents
        env["PREFECT_HOME"] = str(home)


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile, if any: a real
    server. None means runs go to Prefect's embedded API."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


@contextmanager
def embedded_run(
    env: Mapping[str, str] | None = None, *, dask_address: str | None = None
) -> Iterator[None]:
    """Prefect settings for a run on the embedded API (`planwatch run`, `watch`): no flow-run
    heartbeats. Heartbeats feed a server's zombie-run automation, and the embedded API lives
    only as long as the run, so nothing reads them; Prefect 3.9 also joins the heartbeat
    thread at every flow exit (it sleeps in 1 s steps): ~0.9 s per flow run. With a real
    server (an API URL configured) or an explicit `PREFECT_FLOWS_HEARTBEAT_FREQUENCY`,
    Prefect's settings stand. The embedded server is made to die with this process
    (`guard_embedded_server`), and stops only once its records are final
    (`settle_records`). A server started early (`flows.embedded_api.start_early`) is
    waited for and used. With a `dask_address` the workers are given its URL
    (`served_to_workers`)."""
    from prefect.settings import temporary_settings

    env = os.environ if env is None else env
    if configured_api_url():
        yield
        return
    guard_embedded_server()
    with ExitStack() as stack:
        early_url = None if dask_address else adopt_early()  # started by `start_early`
        if early_url:
            stack.enter_context(temporary_settings(updates={"api.url": early_url}))
        if dask_address:
            stack.enter_context(served_to_workers(dask_address))
        if HEARTBEAT_SETTING not in env:
            stack.enter_context(temporary_settings(updates={"flows.heartbeat_frequency": None}))
        since = datetime.now(UTC)
        yield
        settle_records(since)


def settle_records(since: datetime, timeout: float = SETTLE_TIMEOUT_S) -> int:
    """Before the embedded API stops (at this process's exit): send this process's queued
    Prefect events, then wait until the API has written every task state it was sent.

    Task states reach the API only as events, which its task-run recorder writes in batches;
    stopped a moment after the flow, the API cancelled that write ("Error flushing N events"
    tracebacks) and the last tasks stayed RUNNING in its records. Returns the task runs
    still RUNNING after `timeout` (0: the records are final)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterStartTime,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.events.worker import EventsWorker

    served = sys.modules.get("prefect.server.api.server")  # not imported: nothing was run
    early = early_server()
    if not (early is not None and early.running) and (
        served is None
        or not any(s.running for s in served.SubprocessASGIServer._instances.values())
    ):
        return 0
    EventsWorker.drain_all(timeout=timeout, at_exit=False)
    running = TaskRunFilter(
        start_time=TaskRunFilterStartTime(after_=since),
        state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.RUNNING])),
    )
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            left = len(client.read_task_runs(task_run_filter=running, limit=100))
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(SETTLE_POLL_S)


@contextmanager
def served_to_workers(dask_address: str) -> Iterator[str]:
    """The embedded API started here, by hand, and its URL in Prefect's settings; yields it.

    Left to itself, Prefect starts the embedded API lazily for a run without `api.url`, and
    the run's settings travel with each task to the Dask workers (prefect.context
    `serialize_context`): with no URL in them, every worker started a temporary server of
    its own (~230 MB, ~40 s on a cold worker) and its task records went to it, not to the
    run's. With the URL set, the workers report to this run's API. It listens on 127.0.0.1:
    workers on other machines need a real server (PREFECT_API_URL), hence the refusal."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import temporary_settings

    host = urlsplit(dask_address if "://" in dask_address else f"tcp://{dask_address}").hostname
    if host not in LOOPBACK:
        reason = (
            f"workers of the Dask scheduler at {host} cannot reach this run's embedded Prefect "
            "API; start a Prefect server and set PREFECT_API_URL on this machine and the workers"
        )
        raise ConfigError("dask_address", reason)
    # The very instance Prefect's lazy start would use, so a process has one embedded API;
    # started once, stopped by Prefect at exit (and by the watchdog after a kill).
    server = SubprocessASGIServer()
    server.start()
    with temporary_settings(updates={"api.url": server.api_url}):
        yield server.api_url


# --------------------------------------------------------------------------- server guard

# Prefect starts the embedded API as a child process (uvicorn running this factory) and stops
# it at interpreter exit. A `kill -9` skips that, and the ~250 MB server lived on. Prefect
# offers no hook to give the child a parent-death signal (and PR_SET_PDEATHSIG fires when
# the *thread* that forked exits, which may be any short-lived thread that first talked to
# the API), so a small watchdog process notes the server among this process's children
# (pid and start time) and ends it once this process is gone.
SERVER_MARK = "prefect.server.api.server:create_app"
WATCHDOG_POLL_S = 0.5
WATCHDOG = r"""
import os, signal, sys, time
parent, mark, poll = int(sys.argv[1]), sys.argv[2].encode(), float(sys.argv[3])
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the terminal: outlive the parent

def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""

def started(pid):  # field 22 of /proc/PID/stat: tells a reused pid apart
    fields = read(f"/proc/{pid}/stat").rpartition(b")")[2].split()
    return fields[19] if len(fields) > 19 else None

def children():
    try:
        tasks = os.listdir(f"/proc/{parent}/task")
    except OSError:
        return []
    return [int(p) for t in tasks for p in read(f"/proc/{parent}/task/{t}/children").split()]

def is_server(pid):  # not this watchdog, whose own arguments carry the mark
    args = read(f"/proc/{pid}/cmdline").split(b"\0")
    return pid != os.getpid() and b"uvicorn" in args and mark in args

servers = {}
while os.getppid() == parent:
    for pid in children():
        if pid not in servers and is_server(pid):
            servers[pid] = started(pid)
    time.sleep(poll)
alive = [pid for pid, start in servers.items() if start and started(pid) == start]
for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 0.0)):
    for pid in alive:
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    deadline = time.monotonic() + wait
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if started(pid) == servers[pid]]
"""
_guard_lock = threading.Lock()
_guarded_pid: int | None = None
_watchdog: subprocess.Popen | None = None  # kept: it must outlive every caller


def guard_embedded_server() -> subprocess.Popen | None:
    """Start, once per process, the watchdog that ends this process's embedded Prefect
    server when the process dies without stopping it. Linux only (it reads /proc); returns
    the watchdog, or None when it already runs or cannot run here."""
    global _guarded_pid, _watchdog
    with _guard_lock:
        if _guarded_pid == os.getpid() or not Path(f"/proc/{os.getpid()}/task").is_dir():
            return None
        _watchdog = subprocess.Popen(
            [sys.executable, "-c", WATCHDOG, str(os.getpid()), SERVER_MARK, str(WATCHDOG_POLL_S)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not in the terminal's process group
        )
        _guarded_pid = os.getpid()
        return _watchdog
