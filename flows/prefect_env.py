"""Environment for Prefect on a fresh, offline machine: no telemetry, no hanging start-up.

Call `prepare_prefect_env` before Prefect is imported (Prefect reads its settings from the
environment at import time). Values the user already set always win. `embedded_run` wraps a
run on the embedded API (settings that only make sense with a long-lived server are off).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path

PREFECT_DIR = ".prefect"  # under the workdir, unless the user has a ~/.prefect profile
HEARTBEAT_SETTING = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"
EPHEMERAL_STARTUP_TIMEOUT_S = 120  # Prefect's default (20 s) is too short on a busy 2-core box

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
def embedded_run(env: Mapping[str, str] | None = None) -> Iterator[None]:
    """Prefect settings for a run on the embedded API (`planwatch run`, `watch`): no flow-run
    heartbeats. Heartbeats feed a server's zombie-run automation, and the embedded API lives
    only as long as the run, so nothing reads them; Prefect 3.9 also joins the heartbeat
    thread at every flow exit (it sleeps in 1 s steps): ~0.9 s per flow run. With a real
    server (an API URL configured) or an explicit `PREFECT_FLOWS_HEARTBEAT_FREQUENCY`,
    Prefect's settings stand."""
    from prefect.settings import temporary_settings

    env = os.environ if env is None else env
    if configured_api_url() or HEARTBEAT_SETTING in env:
        yield
        return
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield
