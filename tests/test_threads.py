"""Shared language pipelines are built once, even when threads ask for them together.

Each check runs in a fresh interpreter, because the race only exists while the caches are
cold: the first `status_of` / agency / deadline lookups of a process, made by several ingest
threads at the same moment (every night whose plan is already in the ledger)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

COLD_PROCESS = textwrap.dedent(
    """
    import sys, threading
    from normalizers.statuses import status_of
    from normalizers.agencies import resolve
    from normalizers.deadlines import parse_deadline
    n = 8
    barrier = threading.Barrier(n)
    results, errors = [], []
    def work():
        barrier.wait()
        try:
            results.append((
                status_of("аткарылды").value,
                status_of("Выполнено").value,
                tuple(a.code for a in resolve("БИМ, ИИМ")),
                str(parse_deadline("2019-2020-жж.").end),
            ))
        except Exception as err:  # noqa: BLE001 - the point is to see any error at all
            errors.append(repr(err))
    threads = [threading.Thread(target=work) for _ in range(n)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(len(set(results)), len(results), errors[:1])
    sys.exit(1 if errors or len(set(results)) != 1 else 0)
    """
)


@pytest.mark.parametrize("trial", range(6))
def test_cold_process_lookups_from_eight_threads_agree(trial: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", COLD_PROCESS], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
