"""Scale-out: the ingest of N generated reports, locally (Prefect's thread pool) and on a
Dask LocalCluster of 2 and of 4 workers (1 thread each, worker processes), side by side.

The flow timed is `ingest_now` (what `planwatch watch` runs: plans, new files, ledger
views): the part that runs on the cluster. Compliance and the workbook that a nightly run
adds are the same work in every configuration, on the driver.

Each configuration is one fresh process, as `planwatch run` is: its own workdir and ledger,
the embedded Prefect API (its URL given to the workers, `flows.prefect_env.embedded_run`),
cold workers. The cluster's start-up is timed apart (an operator's cluster is up before the
night); the run's wall time includes Prefect's start-up and the workers' first imports.
The ledger is SQLite under the workdir unless `--db-url` names a shared database.

Run: `.venv/bin/python bench/bench_scale.py [N ...] [--db-url URL]` (default N: 1000).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

N_FILES = 1000
WORKERS = (0, 2, 4)  # 0: local, Prefect's thread pool
AS_OF = date(2020, 7, 20)
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="*", type=int, default=[N_FILES])
    parser.add_argument("--db-url", default=None, help="a shared ledger (PostgreSQL)")
    args = parser.parse_args()
    from bench_ingest import generate

    tmp = Path(tempfile.mkdtemp(prefix="planwatch-bench-scale-"))
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; ledger: "
        f"{'shared database' if args.db_url else 'SQLite per configuration'}"
    )
    for n in args.n:
        inbox = tmp / f"inbox-{n}"
        inbox.mkdir()
        generate(inbox, n)
        rows = []
        for workers in WORKERS:  # a row as each ends (a slow box: partial figures still shown)
            rows.append(night_in_own_process(tmp, inbox, workers, args.db_url))
            print(json.dumps(rows[-1]), flush=True)
        print_table(n, rows)


def print_table(n: int, rows: list[dict]) -> None:
    print(f"\n{n} reports")
    print(
        f"{'configuration':<22}{'cluster up s':>13}{'run wall s':>12}{'files/s':>9}"
        f"{'files/s/worker':>16}{'vs local':>10}{'new files':>11}"
    )
    for r in rows:
        name = "local (4 threads)" if not r["workers"] else f"LocalCluster {r['workers']}×1"
        rate = r["processed"] / r["run"]
        print(
            f"{name:<22}{r['cluster']:>13.1f}{r['run']:>12.1f}{rate:>9.1f}"
            f"{rate / max(1, r['workers']):>16.1f}{rows[0]['run'] / r['run']:>9.2f}x"
            f"{r['processed']:>11}"
        )


def night_in_own_process(tmp: Path, inbox: Path, workers: int, db_url: str | None) -> dict:
    cmd = [sys.executable, __file__, "--night", str(tmp), str(inbox), str(workers)]
    cmd += [db_url] if db_url else []
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"night failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def night(tmp: Path, inbox: Path, workers: int, db_url: str | None) -> None:
    """The child: a cluster of `workers` (none: local), one nightly run, JSON on stdout."""
    from flows.prefect_env import embedded_run, prepare_prefect_env

    workdir = tmp / f"work-{inbox.name}-{workers}"
    prepare_prefect_env(workdir)  # a fresh Prefect home per run, as on a fresh machine
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from distributed import LocalCluster

    from flows.config import Settings, Thresholds
    from flows.nightly import ingest_now

    t0 = time.perf_counter()
    cluster = (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        if workers
        else None
    )
    started = time.perf_counter() - t0
    address = cluster.scheduler_address if cluster else None
    settings = Settings(
        inbox=inbox,
        workdir=workdir,
        decrees=(DECREE,),
        as_of=AS_OF,
        thresholds=Thresholds(settle_seconds=0),  # the settle wait is a pause, not work
        dask_address=address,
        **({"db_url": db_url} if db_url else {}),
    )
    t0 = time.perf_counter()
    with embedded_run(dask_address=address):
        inbox_run = ingest_now(settings)
    run = time.perf_counter() - t0
    if cluster:
        cluster.close()
    figures = {"workers": workers, "cluster": started, "run": run}
    print(json.dumps({**figures, "processed": inbox_run.processed}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--night":
        tmp, inbox, workers, *db = sys.argv[2:]
        night(Path(tmp), Path(inbox), int(workers), db[0] if db else None)
    else:
        main()
