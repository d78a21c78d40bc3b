"""The one typed configuration of the nightly run: `planwatch.toml` < `PLANWATCH_*` < CLI flags.

A missing or wrong setting raises `ConfigError` naming the setting and where its value came
from (the TOML file, the environment variable or the flag), never a pydantic traceback.
Importing this module must stay cheap and must not import Prefect: the CLI loads the settings
first and only then decides how Prefect is configured.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import ConfigError
from flows.defaults import (  # declared there (importable without pydantic)
    CONFIG_FILE,
    DEFAULT_CRON,
    DEFAULT_DEBOUNCE_SECONDS,
    DEFAULT_DUE_DAY,
    DEFAULT_LANG,
    DEFAULT_POLL_SECONDS,
    DEFAULT_SETTLE_SECONDS,
    DEFAULT_TIMEZONE,
    DEFAULT_WORKDIR,
    ENV_CONFIG,
    ENV_PREFIX,
)
from outputs.compliance_settings import COORDINATOR

DASK_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://")
_CRON_PROBE = datetime(2020, 1, 1)  # any start time: CronSim only needs one to parse


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ScheduleSettings(_Section):
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from cronsim import CronSim, CronSimError  # Prefect's own cron parser

        try:
            CronSim(value, _CRON_PROBE)
        except CronSimError as exc:
            raise ValueError(f"not a cron expression: {value!r} ({exc})") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {value!r} (e.g. Asia/Bishkek)") from None
        return value


class Thresholds(_Section):
    settle_seconds: float = Field(DEFAULT_SETTLE_SECONDS, ge=0, le=3600)


class WatchSettings(_Section):
    polling: bool = False  # True on network shares (SMB/NFS), where inotify sees nothing
    poll_seconds: float = Field(DEFAULT_POLL_SECONDS, gt=0, le=3600)
    debounce_seconds: float = Field(DEFAULT_DEBOUNCE_SECONDS, ge=0, le=3600)


class LetterSection(_Section):
    """The sender's side of the reminder letters (outputs.letter.LetterSettings)."""

    letterhead: str = ""  # empty: the coordinator's full name from the registry
    address: str = ""
    outgoing_number: str = "________"
    signatory_title: str = ""
    signatory_name: str = ""


class Settings(_Section):
    """Everything one nightly run needs. Paths are absolute once loaded."""

    inbox: Path
    workdir: Path = Path(DEFAULT_WORKDIR)
    decrees: tuple[Path, ...] = ()
    due_day: int = Field(DEFAULT_DUE_DAY, ge=1, le=28)
    lang: Literal["ky", "ru"] = DEFAULT_LANG
    as_of: date | None = None  # None: today in the schedule's time zone
    per_agency: bool = False
    track_from: str | None = None  # first half-year tracked ("2019-H1"); None: the plan's first
    coordinator: str = COORDINATOR  # the ministry's own code: its measures shown apart
    dask_address: str | None = None
    db_url: str | None = None  # None: SQLite ledger under the workdir
    schedule: ScheduleSettings = ScheduleSettings()
    thresholds: Thresholds = Thresholds()
    watch: WatchSettings = WatchSettings()
    letter: LetterSection = LetterSection()

    @field_validator("inbox")
    @classmethod
    def _inbox_is_dir(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"not a directory: {value}")
        return value.resolve()

    @field_validator("workdir")
    @classmethod
    def _workdir_usable(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"exists and is not a directory: {value}")
        return value.resolve()

    @field_validator("decrees")
    @classmethod
    def _decrees_exist(cls, value: tuple[Path, ...]) -> tuple[Path, ...]:
        missing = [str(p) for p in value if not p.is_file()]
        if missing:
            raise ValueError(f"no such file: {', '.join(missing)}")
        return tuple(p.resolve() for p in value)

    @field_validator("dask_address")
    @classmethod
    def _dask_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(DASK_SCHEMES):
            raise ValueError(f"not a Dask scheduler address: {value!r} (e.g. tcp://host:8786)")
        return value or None

    @field_validator("db_url")
    @classmethod
    def _db_url_parses(cls, value: str | None) -> str | None:
        if not value:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                f"not a database URL: {value!r} (e.g. postgresql+psycopg://…)"
            ) from None
        return value

    @property
    def out_dir(self) -> Path:
        return self.workdir / "out"


_FLAG_NAMES = {"decrees": "decree"}  # repeatable flag: --decree FILE --decree FILE
_SECTIONS = {
    "schedule": ScheduleSettings,
    "thresholds": Thresholds,
    "watch": WatchSettings,
    "letter": LetterSection,
}


# --------------------------------------------------------------------------- loading


def load_settings(
    config: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults < TOML file < `PLANWATCH_*` variables < `overrides` (CLI flags, dotted keys
    such as `schedule.cron`; None values mean "not given")."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    path = _config_path(config, env)
    if path is not None:
        _merge(values, origins, toml_to_values(path), str(path))
    _merge(values, origins, *_env_values(env))
    flags = {k: v for k, v in (overrides or {}).items() if v is not None and v != ()}
    _merge(values, origins, _nest(flags), {k: _flag(k) for k in flags})
    return values_to_settings(values, origins)


def toml_to_values(path: Path) -> dict[str, Any]:
    """Read the TOML file; relative paths in it count from the file's own folder."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(path, f"cannot read the configuration: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}") from None
    base = path.parent
    for key in ("inbox", "workdir"):
        if isinstance(data.get(key), str):
            data[key] = str(base / data[key])
    if isinstance(data.get("decrees"), list):
        data["decrees"] = [str(base / d) if isinstance(d, str) else d for d in data["decrees"]]
    return data


def values_to_settings(values: dict[str, Any], origins: Mapping[str, str]) -> Settings:
    if "inbox" not in values:
        raise ConfigError(
            None, "inbox: not set (give --inbox, PLANWATCH_INBOX or `inbox` in planwatch.toml)"
        )
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise _config_error(exc, origins) from None


def _flag(key: str) -> str:
    """The CLI flag that sets a dotted key: schedule.cron -> --cron, db_url -> --db-url."""
    name = _FLAG_NAMES.get(key, key.rsplit(".", 1)[-1])
    return "--" + name.replace("_", "-")


def _config_path(config: Path | None, env: Mapping[str, str]) -> Path | None:
    if config is not None:
        return Path(config)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    default = Path(CONFIG_FILE)
    return default if default.is_file() else None


def _env_values(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """PLANWATCH_DUE_DAY -> due_day, PLANWATCH_SCHEDULE_CRON -> schedule.cron, and
    PLANWATCH_DECREES as a list separated by the OS path separator."""
    flat: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key in _setting_keys():
        name = ENV_PREFIX + key.replace(".", "_").upper()
        if name in env and env[name] != "":
            raw = env[name]
            flat[key] = [p for p in raw.split(os.pathsep) if p] if key == "decrees" else raw
            origins[key] = name
    return _nest(flat), origins


def _setting_keys() -> list[str]:
    keys = []
    for name in Settings.model_fields:
        if name in _SECTIONS:
            keys += [f"{name}.{sub}" for sub in _SECTIONS[name].model_fields]
        else:
            keys.append(name)
    return keys


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, tail = key.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def _merge(
    values: dict[str, Any], origins: dict[str, str], new: Mapping[str, Any], origin: Any
) -> None:
    """Overlay `new` on `values`, remembering where each dotted key came from."""
    for key, value in new.items():
        if isinstance(value, Mapping) and key in _SECTIONS:
            section = values.setdefault(key, {})
            if not isinstance(section, dict):
                section = values[key] = {}
            section.update(value)
            for sub in value:
                dotted = f"{key}.{sub}"
                origins[dotted] = origin if isinstance(origin, str) else origin.get(dotted, "")
        else:
            values[key] = value
            origins[key] = origin if isinstance(origin, str) else origin.get(key, "")


def _config_error(exc: ValidationError, origins: Mapping[str, str]) -> ConfigError:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"] if not isinstance(p, int))
    reason = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        reason = "unknown setting"
    origin = origins.get(key) or origins.get(key.split(".")[0]) or ""
    where = f" (from {origin})" if origin and not origin.endswith(".toml") else ""
    path = origin if origin.endswith(".toml") else None
    return ConfigError(path, f"{key}{where}: {reason}")
