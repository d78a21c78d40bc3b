"""The embedded Prefect API of `planwatch run`: its database made at set-up, its server
started early and used by the run, and ended when the run is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="the watchdog reads /proc"),
]

# A run as `planwatch run` starts it: the server before the flow's imports, then one flow
# run on it; prints the server's pid, its URL and the flow run's id, then waits to be killed.
EARLY_RUN = """
import json, sys, time
from pathlib import Path
from flows.prefect_env import prepare_prefect_env
prepare_prefect_env(Path(sys.argv[1]))
from flows.embedded_api import early_server, start_early
start_early()
from prefect import flow
from prefect.context import FlowRunContext
from flows.prefect_env import embedded_run

@flow(name="early")
def early() -> str:
    return str(FlowRunContext.get().flow_run.id)

with embedded_run():
    run_id = early()
    server = early_server()
    print(json.dumps({"pid": server.process.pid, "url": server.api_url, "run": run_id}), flush=True)
    time.sleep(600)
"""


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "600"  # a loaded machine
    return env


def alive(pid: int) -> bool:
    try:
        return "\tZ" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1][:4]
    except (OSError, IndexError):
        return False


def test_setup_makes_the_database_once_and_the_early_server_serves_the_run(tmp_path):
    env, work = clean_env(tmp_path / "prefect-home"), tmp_path / "work"
    setup = [sys.executable, "-m", "flows.embedded_api", str(work)]
    made = subprocess.run(setup, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert made.returncode == 0, made.stderr[-2000:]
    assert made.stdout.strip().endswith(": created")
    assert (tmp_path / "prefect-home" / "prefect.db").is_file()
    again = subprocess.run(setup, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.stdout.strip().endswith(": ready")  # no second server start

    run = subprocess.Popen(
        [sys.executable, "-c", EARLY_RUN, str(work)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = run.stdout.readline()
        assert line, "the run printed nothing"
        started = json.loads(line)
        assert alive(started["pid"])
        from prefect.client.orchestration import SyncPrefectClient

        with SyncPrefectClient(started["url"]) as client:  # the run's record is on that server
            record = client.read_flow_run(started["run"])
        assert record.state.is_completed()
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    deadline = time.monotonic() + 30
    while alive(started["pid"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(started["pid"]):
        os.kill(started["pid"], signal.SIGKILL)
        pytest.fail("the early-started Prefect server outlived its killed run")
