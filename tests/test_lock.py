"""One planwatch run per workdir: a second one says so in one line and exits non-zero."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import WorkdirBusy
from ledger.lock import LOCK_FILE, workdir_lock

HOLD = (
    "import sys, time; from ledger.lock import workdir_lock\n"
    "with workdir_lock(sys.argv[1]):\n"
    "    print('held', flush=True); time.sleep(60)\n"
)


def _holder(workdir: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(workdir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path):
    proc = _holder(tmp_path)
    try:
        with pytest.raises(WorkdirBusy) as err, workdir_lock(tmp_path):
            pass
        assert f"pid {proc.pid}" in str(err.value) and LOCK_FILE in str(err.value)
        assert "\n" not in str(err.value)
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_holder_leaves_a_lock_that_is_taken_over_and_reported(tmp_path):
    proc = _holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    heard: list[str] = []
    with workdir_lock(tmp_path, on_stale=heard.append) as path:
        assert f"pid {os.getpid()}" in path.read_text()
    assert len(heard) == 1 and f"pid {proc.pid}" in heard[0]
    with workdir_lock(tmp_path, on_stale=heard.append):  # released cleanly: nothing to say
        pass
    assert len(heard) == 1


def test_two_ingests_at_once_one_runs_the_other_says_so(tmp_path):
    """`planwatch ingest` twice on one fresh workdir at the same moment."""
    repo = Path(__file__).resolve().parents[1]
    cmd = [
        sys.executable,
        "-m",
        "cli.main",
        "ingest",
        "--inbox",
        str(repo / "samples/inbox"),
        "--workdir",
        str(tmp_path / "work"),
        "--settle",
        "0",
        "--decree",
        str(repo / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"),
    ]
    procs = [
        subprocess.Popen(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    _, _, refused_err = next(r for r in results if r[0] == 2)
    lines = [line for line in refused_err.splitlines() if line.strip()]
    assert (
        len(lines) == 1 and lines[0].startswith("error: ") and "another planwatch run" in lines[0]
    )
    _, winner_out, _ = next(r for r in results if r[0] == 0)
    assert "15 file(s) scanned: 14 new" in winner_out  # one copy: same bytes as another
