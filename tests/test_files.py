"""core.files: outputs get the permissions the umask asks for (mkstemp alone gives 0600)."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

import core.files
from core.files import process_umask, temp_next_to, write_atomic
from ledger.db import Ledger
from outputs.datasets import write_csv, write_parquet
from outputs.ledger_views import write_ledger_views


@pytest.fixture(params=[0o022, 0o027, 0o002])
def umask(request, monkeypatch):
    old = os.umask(request.param)
    monkeypatch.setattr(core.files, "_umask", None)  # read again under this umask
    yield request.param
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_umask_is_read_without_changing_it(umask):
    assert process_umask() == umask
    assert os.umask(umask) == umask  # still in force


def test_outputs_are_created_with_the_umasks_mode(tmp_path, umask):
    expected = 0o666 & ~umask
    assert mode(write_atomic(tmp_path / "a" / "x.txt", lambda p: p.write_text("x"))) == expected
    frame = pd.DataFrame({"file": ["=cmd|' /C calc'!A0", "ok"], "n": [1, 2]})
    assert mode(write_csv(frame, tmp_path / "d.csv")) == expected
    assert mode(write_parquet(frame, tmp_path / "d.parquet")) == expected
    with Ledger.for_workdir(tmp_path / "work") as ledger:
        views = write_ledger_views(ledger, tmp_path / "out")
    assert [mode(p) for p in views] == [expected] * len(views)
    fd, tmp = temp_next_to(tmp_path / "y.xlsx")
    os.close(fd)
    assert mode(tmp) == expected and tmp.name.startswith(".y.xlsx.") and tmp.suffix == ".tmp"
    assert "'=cmd" in (tmp_path / "d.csv").read_text(encoding="utf-8-sig")


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    def broken(path):
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "x.csv", broken)
    assert list(tmp_path.iterdir()) == []
