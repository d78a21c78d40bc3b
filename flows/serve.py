"""Running the nightly flow on a schedule.

Prefect's embedded (ephemeral) API never fires schedules: `serve()` against it only logs
"Cannot schedule flows on an ephemeral server". So `serve_nightly` uses the server at
PREFECT_API_URL when one is configured, and otherwise starts its own `prefect server start`
on 127.0.0.1 with a SQLite database under the workdir, waits until it answers /api/health,
serves with `pause_on_shutdown=False`, and stops the server when serving stops.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import httpx
import psutil

from flows.config import Settings
from flows.defaults import DEPLOYMENT_NAME
from flows.prefect_env import QUIET_OFFLINE, configured_api_url

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only: the server has no authentication
SERVER_DIR = "prefect-server"  # under the workdir: database and log of the server we start
STARTUP_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
HEALTH_POLL_S = 0.5
DEFAULT_PORT = 4200  # Prefect's own default, so the UI is where its docs say
RUN_LIMIT = 1  # one nightly run at a time: two would write the same workdir


class ServerStartError(RuntimeError):
    """The Prefect server we started did not become healthy."""


class PrefectServer:
    """A `prefect server start` child process on loopback, in its own process group."""

    def __init__(
        self,
        workdir: Path,
        *,
        port: int | None = None,
        extra_env: Mapping[str, str] | None = None,
        startup_timeout: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.dir = Path(workdir).resolve() / SERVER_DIR
        self.port = port or (DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port())
        self._port_chosen = port is None  # ours to change when another server takes it first
        self.extra_env = dict(extra_env or {})
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    @property
    def log_path(self) -> Path:
        return self.dir / "server.log"

    def start(self) -> PrefectServer:
        """Start the server and wait until it answers. A port we chose that another server
        took between our check and our server's bind (it binds seconds after it starts):
        once more on a port the system hands out."""
        try:
            return self._launch()
        except ServerStartError:
            if not self._port_chosen or port_is_free(self.port):
                raise
        self.port, self._port_chosen = free_port(), False
        return self._launch()

    def _launch(self) -> PrefectServer:
        self.dir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST]
        cmd += ["--port", str(self.port)]
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                cmd,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches every child
            )
        self.wait_healthy()
        return self

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update(QUIET_OFFLINE)
        env["PREFECT_HOME"] = str(self.dir)
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = (
            f"sqlite+aiosqlite:///{self.dir / 'prefect.db'}"
        )
        env.update(self.extra_env)
        return env

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise ServerStartError(
                        f"prefect server exited with code {self.process.returncode}:\n"
                        + self.log_tail()
                    )
                try:
                    healthy = client.get(f"{self.api_url}/health").status_code == 200
                except httpx.HTTPError:
                    healthy = False
                if healthy and self._listens():  # not another server on the same port
                    return
                time.sleep(HEALTH_POLL_S)
        self.stop()
        raise ServerStartError(
            f"prefect server not healthy after {self.startup_timeout:.0f} s:\n" + self.log_tail()
        )

    def _listens(self) -> bool:
        """Does our server process (or a child of it) hold the listening socket?"""
        if self.process is None:
            return False
        try:
            root = psutil.Process(self.process.pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return False
        for proc in family:
            try:
                connections = proc.net_connections(kind="tcp")
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if any(
                c.status == psutil.CONN_LISTEN and c.laddr.port == self.port for c in connections
            ):
                return True
        return False

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL what is still there after a grace period."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> PrefectServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As uvicorn binds: connections left in TIME_WAIT do not make the port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


@contextmanager
def prefect_api(workdir: Path, **server_options: object) -> Iterator[str]:
    """Yield an API URL: the configured one, else a server of our own for the duration."""
    configured = configured_api_url()
    if configured:
        yield configured
        return
    with PrefectServer(workdir, **server_options) as server:  # type: ignore[arg-type]
        log.info("started Prefect server at %s (UI: %s)", server.api_url, server.url)
        yield server.api_url


@contextmanager
def using_api(api_url: str) -> Iterator[None]:
    """Point this process (and the flow-run subprocesses it starts) at `api_url`."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


def nightly_schedule(settings: Settings, interval: float | None = None):
    """The cron schedule in its time zone; `interval` (seconds) replaces it (tests, demos)."""
    from prefect.schedules import Cron, Interval

    if interval is not None:
        return Interval(timedelta(seconds=interval), timezone=settings.schedule.timezone)
    return Cron(settings.schedule.cron, timezone=settings.schedule.timezone)


def deployment_parameters(settings: Settings) -> dict:
    """Scheduled runs compute 'today' themselves: never freeze an as-of date into a schedule."""
    return {"settings": settings.model_copy(update={"as_of": None}).model_dump(mode="json")}


def _exit_on_sigterm() -> None:
    """SIGTERM before Prefect's runner takes over → SystemExit(0), a requested stop, so the
    `with` blocks still stop the server we started."""

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit)


def serve_nightly(
    settings: Settings,
    *,
    interval: float | None = None,
    name: str = DEPLOYMENT_NAME,
    port: int | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `nightly_compliance` on its schedule until interrupted (Ctrl-C / SIGTERM).

    `on_ready(ui_url)` is called once the API answers; `port` is for the server we start."""
    from flows.nightly import nightly_compliance

    _exit_on_sigterm()  # until Prefect's runner installs its own graceful handler
    with prefect_api(settings.workdir, port=port) as api_url, using_api(api_url):
        if on_ready is not None:
            on_ready(api_url.removesuffix("/api"))
        nightly_compliance.serve(
            name=name,
            schedule=nightly_schedule(settings, interval),
            parameters=deployment_parameters(settings),
            pause_on_shutdown=False,
            limit=RUN_LIMIT,
        )


# --------------------------------------------------------------------------- deployments

REPO_ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = "flows/nightly.py:nightly_compliance"


def deploy_nightly(
    settings: Settings, work_pool: str, *, name: str = DEPLOYMENT_NAME, source: Path = REPO_ROOT
) -> str:
    """Register the nightly flow with a Prefect server's work pool (a `process` pool whose
    worker runs on a machine with this checkout at `source`); returns the deployment id."""
    from core.errors import ConfigError
    from flows.nightly import nightly_compliance

    if not configured_api_url():
        raise ConfigError(
            None,
            "PREFECT_API_URL: not set; `deploy` needs a Prefect server "
            "(or use `planwatch serve`, which starts one)",
        )
    remote = nightly_compliance.from_source(source=str(source), entrypoint=ENTRYPOINT)
    deployment_id = remote.deploy(
        name=name,
        work_pool_name=work_pool,
        schedules=[nightly_schedule(settings)],
        parameters=deployment_parameters(settings),
        build=False,
        push=False,
        print_next_steps=False,
    )
    return str(deployment_id)
