"""flows.config: planwatch.toml < PLANWATCH_* < flags, and errors that name the setting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import ConfigError
from flows.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE_TOML = REPO / "planwatch.toml"


@pytest.fixture
def toml_file(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    (tmp_path / "decree.txt").write_text("decree", encoding="utf-8")
    path = tmp_path / "conf" / "planwatch.toml"
    path.parent.mkdir()
    path.write_text(
        'inbox = "../in"\nworkdir = "../w"\ndecrees = ["../decree.txt"]\ndue_day = 7\n'
        '[schedule]\ncron = "15 3 * * 1-5"\n',
        encoding="utf-8",
    )
    return path


def test_the_sample_config_points_at_the_bundled_samples():
    settings = load_settings(SAMPLE_TOML, env={})
    assert settings.inbox == REPO / "samples" / "inbox"
    assert settings.workdir == REPO / "work"
    assert [d.name for d in settings.decrees] == [
        "decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
    ]
    assert (settings.schedule.cron, settings.schedule.timezone) == ("0 2 * * *", "Asia/Bishkek")
    assert (settings.due_day, settings.lang, settings.dask_address) == (5, "ky", None)


def test_toml_paths_count_from_the_file_folder(toml_file: Path):
    settings = load_settings(toml_file, env={})
    root = toml_file.parent.parent
    assert settings.inbox == root / "in"
    assert settings.workdir == root / "w"
    assert settings.decrees == (root / "decree.txt",)
    assert settings.due_day == 7
    assert settings.schedule.cron == "15 3 * * 1-5"
    assert settings.schedule.timezone == "Asia/Bishkek"  # untouched keys keep their default


def test_env_overrides_toml_and_flags_override_env(toml_file: Path, tmp_path: Path):
    env = {
        "PLANWATCH_DUE_DAY": "10",
        "PLANWATCH_LANG": "ru",
        "PLANWATCH_SCHEDULE_TIMEZONE": "UTC",
        "PLANWATCH_DB_URL": "postgresql+psycopg://u@db/planwatch",
        "PLANWATCH_WATCH_POLLING": "true",
    }
    settings = load_settings(toml_file, env=env)
    assert (settings.due_day, settings.lang, settings.schedule.timezone) == (10, "ru", "UTC")
    assert settings.db_url == "postgresql+psycopg://u@db/planwatch"
    assert settings.watch.polling is True
    flags = {"due_day": 12, "lang": None, "as_of": date(2020, 7, 20), "schedule.cron": "0 4 * * *"}
    settings = load_settings(toml_file, flags, env=env)
    assert settings.due_day == 12
    assert settings.lang == "ru"  # a flag left unset (None) does not hide the env value
    assert settings.as_of == date(2020, 7, 20)
    assert settings.schedule.cron == "0 4 * * *"


def test_config_file_from_env_and_decree_list_from_env(toml_file: Path, tmp_path: Path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a"), b.write_text("b")
    env = {"PLANWATCH_CONFIG": str(toml_file), "PLANWATCH_DECREES": f"{a}:{b}"}
    assert load_settings(env=env).decrees == (a, b)


@pytest.mark.parametrize(
    ("env", "flags", "message"),
    [
        ({"PLANWATCH_DUE_DAY": "40"}, {}, "due_day (from PLANWATCH_DUE_DAY): Input should be less"),
        ({"PLANWATCH_DUE_DAY": "five"}, {}, "due_day (from PLANWATCH_DUE_DAY)"),
        ({}, {"lang": "en"}, "lang (from --lang): Input should be 'ky' or 'ru'"),
        ({}, {"schedule.cron": "99 * * *"}, "schedule.cron (from --cron): not a cron expression"),
        ({"PLANWATCH_SCHEDULE_TIMEZONE": "Mars/Olympus"}, {}, "schedule.timezone"),
        ({}, {"dask_address": "scheduler:8786"}, "dask_address (from --dask-address)"),
        ({"PLANWATCH_DB_URL": "not a url"}, {}, "db_url (from PLANWATCH_DB_URL)"),
        ({}, {"inbox": "/nonexistent/inbox"}, "inbox (from --inbox): not a directory"),
        ({}, {"decrees": ("/nonexistent/d.txt",)}, "decrees (from --decree): no such file"),
    ],
)
def test_a_wrong_setting_names_the_setting_and_its_source(toml_file, env, flags, message):
    with pytest.raises(ConfigError) as err:
        load_settings(toml_file, flags, env=env)
    assert message in str(err.value)


def test_wrong_values_in_the_toml_name_the_file_and_key(tmp_path: Path):
    path = tmp_path / "planwatch.toml"
    path.write_text('inbox = "."\n[schedule]\ncorn = "0 2 * * *"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"planwatch\.toml: schedule\.corn: unknown setting"):
        load_settings(path, env={})
    path.write_text('inbox = "."\ndue_day = 0\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"planwatch\.toml: due_day: Input should be greater"):
        load_settings(path, env={})
    path.write_text("inbox = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path, env={})
    with pytest.raises(ConfigError, match="cannot read the configuration"):
        load_settings(tmp_path / "missing.toml", env={})


def test_missing_inbox_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no planwatch.toml here
    with pytest.raises(ConfigError, match="inbox: not set"):
        load_settings(env={})


def test_settings_round_trip_through_json_for_deployment_parameters(toml_file: Path):
    settings = load_settings(toml_file, {"as_of": "2020-07-20"}, env={})
    again = Settings.model_validate(settings.model_dump(mode="json"))
    assert again == settings
    assert again.as_of == date(2020, 7, 20)


def test_the_cli_names_a_wrong_setting_in_one_line(tmp_path: Path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "run", "--inbox", str(tmp_path / "nope")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    # a flag's path is checked by the CLI itself, before the settings load (issue 16: start-up)
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: folder not found (--inbox)"
