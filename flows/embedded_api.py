"""Prefect's embedded API for `planwatch run`: its database made once, at set-up, and its
server started early, while the run is still importing and reading its settings.

- `python -m flows.embedded_api WORKDIR` (`make run`'s set-up part): the Prefect home the run
  will use gets its SQLite database created and migrated and Prefect's block types
  registered, by starting the embedded API once and stopping it. A first run on a fresh
  Prefect home otherwise pays for that inside the job (~9 s of CPU here).
- `start_early()`: the embedded server's process, started before the heavy imports (its own
  import and start-up take ~8 s of CPU, now on the other core); `adopt_early()` waits for it
  and gives its URL to the run. Without an early start, Prefect starts the server lazily at
  the first flow run, as before.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

SERVER_FACTORY = "prefect.server.api.server:create_app"
# What Prefect's own SubprocessASGIServer sets for the embedded server: no UI, ephemeral
# services only, and this process's settings final.
EPHEMERAL_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
# Services of the ephemeral API that a run-scoped database has no use for: automations
# (none can exist on it: it lives as long as one run) and the events websocket (nobody is
# subscribed). The task-run recorder and the event persister stay: they write the run's
# task states and events, which the UI and the tests read.
SERVICES_OFF = {
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
}
STOP_WAIT_S = 5.0


class EarlyServer:
    """The embedded server's process started by `start_early`, stopped at this process's exit."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        atexit.register(self.stop)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_early: EarlyServer | None = None


def early_server() -> EarlyServer | None:
    """The server `start_early` started in this process, if any."""
    return _early


def server_command(port: int) -> list[str]:
    """The very command Prefect's SubprocessASGIServer runs (the watchdog looks for it)."""
    import prefect

    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(Path(prefect.__file__).parent.parent),
        "--factory",
        SERVER_FACTORY,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_early() -> EarlyServer | None:
    """Start the embedded API's server now, in the background, unless a Prefect API is
    configured (then nothing is started). Call after `prepare_prefect_env`."""
    global _early
    from flows.prefect_env import configured_api_url, guard_embedded_server

    if _early is not None or configured_api_url():
        return _early
    guard_embedded_server()  # before the child exists: a kill -9 of this process ends it
    port = free_port()
    env = {
        **os.environ,
        **EPHEMERAL_ENV,
        **{k: v for k, v in SERVICES_OFF.items() if k not in os.environ},
    }
    process = subprocess.Popen(server_command(port), env=env, stdin=subprocess.DEVNULL)
    _early = EarlyServer(process, port)
    return _early


def adopt_early(timeout: float | None = None) -> str | None:
    """The early server's API URL once it answers; None when none was started or it died
    (Prefect's lazy start then takes over)."""
    import httpx

    server = early_server()
    if server is None:
        return None
    if timeout is None:
        from prefect.settings import get_current_settings

        timeout = get_current_settings().server.ephemeral.startup_timeout_seconds
    deadline = time.monotonic() + timeout
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            if not server.running:
                return None  # e.g. exit 3: the port was taken meanwhile
            try:
                if client.get(f"{server.api_url}/health").status_code == 200:
                    return server.api_url
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    server.stop()
    return None


def prepare_database(workdir: Path) -> str:
    """`make run`'s set-up: the Prefect home that a run on `workdir` uses gets its database
    created, migrated and its block types registered (the embedded API started once and
    stopped). Nothing to do with a Prefect server configured. Returns what was done."""
    from flows.prefect_env import configured_api_url, prepare_prefect_env

    prepare_prefect_env(Path(workdir))
    if os.environ.get("PREFECT_HOME"):  # Prefect creates its home, but not the parents
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    from prefect.settings import get_current_settings

    if api_url := configured_api_url():
        return f"Prefect API at {api_url}: nothing to prepare"
    home = Path(get_current_settings().home)
    if all((home / name).is_file() for name in ("prefect.db", "memo_store.toml")):
        return f"Prefect database in {home}: ready"  # a newer Prefect migrates it at start
    server = start_early()
    if server is None or adopt_early() is None:
        raise SystemExit("the embedded Prefect API did not start")
    server.stop()
    return f"Prefect database in {home}: created"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m flows.embedded_api WORKDIR")
    print(prepare_database(Path(sys.argv[1])))
