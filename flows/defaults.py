"""The defaults of the nightly run's settings, declared once, importable without pydantic or
Prefect: `planwatch run --help` shows them before anything heavy is loaded."""

from __future__ import annotations

CONFIG_FILE = "planwatch.toml"  # looked for in the current directory when --config is not given
ENV_PREFIX = "PLANWATCH_"
ENV_CONFIG = "PLANWATCH_CONFIG"  # names the config file, like --config

DEFAULT_WORKDIR = "work"
DEFAULT_DUE_DAY = 5  # reports are due by the 5th of the month after the half-year
DEFAULT_LANG = "ky"
DEFAULT_CRON = "0 2 * * *"  # 02:00 every night
DEFAULT_TIMEZONE = "Asia/Bishkek"
DEFAULT_SETTLE_SECONDS = 2.0  # a file still growing within this window is left for later
DEFAULT_POLL_SECONDS = 2.0  # polling observer: how often a network share is re-listed
DEFAULT_DEBOUNCE_SECONDS = 3.0  # watch: wait this long after the last event before ingesting
DEPLOYMENT_NAME = "planwatch-nightly"  # `planwatch deploy --name`
