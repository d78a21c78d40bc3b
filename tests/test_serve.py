"""flows.serve: a real Prefect server on loopback, a schedule that really fires, clean stops.

Prefect's embedded API never fires schedules, so these tests start `prefect server start`
themselves (through `PrefectServer`) and serve the real nightly flow against it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from flows.config import Settings, Thresholds
from flows.nightly import today_in
from flows.prefect_env import QUIET_OFFLINE
from flows.serve import (
    DEPLOYMENT_NAME,
    PrefectServer,
    deployment_parameters,
    free_port,
    nightly_schedule,
    port_is_free,
)
from ledger.db import LEDGER_FILE, Ledger

REPO = Path(__file__).resolve().parents[1]
FLOW_NAME = "nightly-compliance"
DECREE = REPO / "samples" / "decrees" / "decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
SAMPLE_REPORT = REPO / "samples" / "inbox" / "ММТМ_2019_1.csv"
FIRE_TIMEOUT_S = 300  # bounded wait for the first scheduled run to complete
STOP_TIMEOUT_S = 60
FAST_SCHEDULER = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",  # default 60 s
    "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # default 10 s
}


@pytest.fixture
def settings(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Settings(
        inbox=inbox,
        workdir=tmp_path / "work",
        as_of=date(2020, 7, 20),
        thresholds=Thresholds(settle_seconds=0),
    )


def serve_script(settings, interval: float, port: int | None = None) -> str:
    """A `planwatch serve` process with a seconds interval instead of the nightly cron. The
    main guard matters: the runner starts each flow run with multiprocessing's spawn."""
    return (
        "from flows.config import Settings\n"
        "from flows.serve import serve_nightly\n"
        "if __name__ == '__main__':\n"
        f"    s = Settings.model_validate_json({settings.model_dump_json()!r})\n"
        f"    serve_nightly(s, interval={interval}, port={port!r},"
        " on_ready=lambda u: print('READY', u, flush=True))\n"
    )


def start_serving(settings, env: dict[str, str], interval: float = 2, port: int | None = None):
    script = settings.workdir.parent / "serve_script.py"
    script.write_text(serve_script(settings, interval, port), encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def completed_runs(api_url: str, deployment: str = DEPLOYMENT_NAME) -> list[dict]:
    body = {
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
        "deployments": {"name": {"any_": [deployment]}},
    }
    response = httpx.post(f"{api_url}/flow_runs/filter", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"serve exited early ({proc.returncode}):\n{proc.stdout.read().decode()}")
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail("serve did not stop on SIGTERM:\n" + out.decode())
    return out.decode()


def test_schedule_parameters_never_freeze_the_as_of_day(settings):
    params = deployment_parameters(settings)
    assert params["settings"]["as_of"] is None
    assert json.loads(json.dumps(params)) == params  # JSON, as the API stores it
    schedule = nightly_schedule(settings)
    assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Bishkek")
    assert nightly_schedule(settings, interval=5).interval.total_seconds() == 5


@pytest.fixture(scope="module")
def loopback_server(tmp_path_factory) -> Iterator[PrefectServer]:
    """One `prefect server start` for the tests that need a real server (xdist group
    "serve" keeps them on one worker); it must stop cleanly when they are done."""
    with PrefectServer(tmp_path_factory.mktemp("server"), extra_env=FAST_SCHEDULER) as server:
        assert server.url.startswith("http://127.0.0.1:")
        yield server
    assert server.process is None
    wait_for(lambda: not listening(server.port), 10, "the server to stop listening")


@pytest.mark.slow
@pytest.mark.xdist_group("serve")
def test_a_schedule_really_fires_on_a_loopback_server(settings, loopback_server):
    api_url = loopback_server.api_url
    env = {**os.environ, **FAST_SCHEDULER, "PREFECT_API_URL": api_url}
    proc = start_serving(settings, env, interval=5)
    try:
        runs = wait_for(lambda: completed_runs(api_url), FIRE_TIMEOUT_S, "a scheduled run", proc)
    finally:
        output = stop(proc)
    assert proc.returncode == 0, output
    assert runs[0]["name"]
    # The run really did the work. Scheduled runs take "today" (in Asia/Bishkek), never
    # the as-of day frozen into the deployment.
    assert [p.name for p in settings.out_dir.glob("overdue-*.xlsx")] == [
        f"overdue-{today_in('Asia/Bishkek').isoformat()}.ky.xlsx"
    ]
    # pause_on_shutdown=False: the schedule stays active after serve stops.
    deployment = httpx.get(
        f"{api_url}/deployments/name/{FLOW_NAME}/{DEPLOYMENT_NAME}", timeout=10
    ).json()
    assert deployment["paused"] is False
    assert deployment["schedules"][0]["schedule"]["interval"] == 5


@pytest.mark.slow
@pytest.mark.xdist_group("serve")
def test_deploy_registers_the_flow_and_a_process_worker_runs_it(
    settings, loopback_server, tmp_path: Path, monkeypatch
):
    """`planwatch deploy` → the team's server and work pool; a real `prefect worker` runs it."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import temporary_settings
    from prefect.workers.process import ProcessWorker

    api_url, pool, name = loopback_server.api_url, "planwatch-test", "deploy-test"
    shutil.copy2(SAMPLE_REPORT, settings.inbox / SAMPLE_REPORT.name)
    for key, value in {**QUIET_OFFLINE, "PREFECT_HOME": str(tmp_path / "home")}.items():
        monkeypatch.setenv(key, value)  # what `deploy` would set, restored after the test
    monkeypatch.setenv("PLANWATCH_THRESHOLDS_SETTLE_SECONDS", "0")  # no file is being copied
    args = ["deploy", "--work-pool", pool, "--name", name, "--cron", "0 3 * * 1-5"]
    args += ["--decree", str(DECREE), "--inbox", str(settings.inbox)]
    args += ["--workdir", str(settings.workdir)]

    with temporary_settings(updates={"api.url": api_url}), get_client(sync_client=True) as client:
        template = ProcessWorker.get_default_base_job_template()
        client.create_work_pool(
            WorkPoolCreate(name=pool, type="process", base_job_template=template)
        )
        out = CliRunner().invoke(cli, args, catch_exceptions=False).output
        assert f"nightly-compliance/{name}" in out and "'0 3 * * 1-5' Asia/Bishkek" in out
        deployment = client.read_deployment_by_name(f"{FLOW_NAME}/{name}")
        assert deployment.work_pool_name == pool
        assert deployment.schedules[0].schedule.cron == "0 3 * * 1-5"
        assert deployment.parameters["settings"]["inbox"] == str(settings.inbox)
        assert deployment.parameters["settings"]["thresholds"]["settle_seconds"] == 0
        client.create_flow_run_from_deployment(deployment.id)  # "Run now" in the UI

    worker = [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool, "--run-once"]
    env = {**os.environ, "PREFECT_API_URL": api_url}
    done = subprocess.run(worker, cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(completed_runs(api_url, name)) == 1
    ledger = Ledger(f"sqlite:///{settings.workdir / LEDGER_FILE}")
    assert [r.file for r in ledger.reports()] == [SAMPLE_REPORT.name]
    assert list(settings.out_dir.glob("overdue-*.xlsx"))


@pytest.mark.slow
def test_serve_without_an_api_url_starts_and_stops_its_own_server(settings):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = start_serving(settings, {**env, **FAST_SCHEDULER}, interval=3600, port=port)
    api = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, FIRE_TIMEOUT_S, "the server serve starts", proc)
        wait_for(
            lambda: (
                httpx.get(
                    f"{api}/deployments/name/nightly-compliance/{DEPLOYMENT_NAME}", timeout=5
                ).status_code
                == 200
            ),
            60,
            "the deployment",
            proc,
        )
    finally:
        output = stop(proc)
    assert proc.returncode == 0, output
    assert f"READY http://127.0.0.1:{port}" in output
    assert (settings.workdir / "prefect-server" / "prefect.db").is_file()
    wait_for(lambda: not listening(port), 10, "the server to stop listening")
    assert port_is_free(port)


@pytest.mark.slow
def test_a_server_that_takes_our_port_first_is_not_taken_for_ours(tmp_path: Path, monkeypatch):
    """The port we chose was free when we looked; another server bound it before ours did
    (ours binds seconds after it starts). Its health answer must not pass for ours: ours
    starts again on a port the system hands out."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import flows.serve as serve

    class Healthy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server's name for the GET handler
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    taken = other.server_address[1]
    monkeypatch.setattr(serve, "DEFAULT_PORT", taken)
    monkeypatch.setattr(serve, "port_is_free", lambda port: port != taken or not chosen)
    chosen = False
    server = PrefectServer(tmp_path)  # looked while the port was still free
    chosen = True
    try:
        assert server.port == taken
        with server:
            assert server.port != taken
            assert httpx.get(f"{server.api_url}/health", timeout=10).status_code == 200
    finally:
        other.shutdown()
