"""Prefect's environment: offline defaults before import, embedded-run settings around a run."""

from __future__ import annotations

from pathlib import Path

from prefect.settings import get_current_settings, temporary_settings

from flows.prefect_env import HEARTBEAT_SETTING, embedded_run, prepare_prefect_env


def heartbeat() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_offline_defaults_never_override_the_users_values(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # a machine without a Prefect profile
    env = {"DO_NOT_TRACK": "0"}
    prepare_prefect_env(tmp_path / "work", env)
    assert env["DO_NOT_TRACK"] == "0"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert Path(env["PREFECT_HOME"]) == (tmp_path / "work" / ".prefect").resolve()
    assert Path(env["PREFECT_HOME"]).is_dir()


def test_an_embedded_run_sends_no_heartbeats_a_server_run_keeps_prefects_setting():
    with temporary_settings(updates={"api.url": None, "flows.heartbeat_frequency": 180}):
        with embedded_run(env={}):
            assert heartbeat() is None  # nothing outlives the run to read them
        assert heartbeat() == 180
        with embedded_run(env={HEARTBEAT_SETTING: "60"}):  # asked for explicitly
            assert heartbeat() == 180
    server = {"api.url": "http://127.0.0.1:4200/api", "flows.heartbeat_frequency": 180}
    with temporary_settings(updates=server), embedded_run(env={}):
        assert heartbeat() == 180  # a server's automations may watch for zombie runs
