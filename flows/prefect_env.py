"""Environment for Prefect on a fresh, offline machine: no telemetry, no hanging start-up.

Call `prepare_prefect_env` before Prefect is imported (Prefect reads its settings from the
environment at import time). Values the user already set always win.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

PREFECT_DIR = ".prefect"  # under the workdir, unless the user has a ~/.prefect profile
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
