"""Scale-out: the ingest of N generated reports, locally (Prefect's thread pool) and on a
Dask LocalCluster of 2 and of 4 workers (1 thread each, worker processes), side by side.

The flow timed is `ingest_now` (what `planwatch watch` runs: plans, new files, ledger
views): the part that runs on the cluster. Compliance and the workbook that a nightly run
adds are the same work in every configuration, on the driver.

Each configuration is one fresh process, as `planwatch run` is: its own workdir and ledger,
the embedded Prefect API (its URL given to the workers, `flows.prefect_env.embedded_run`),
cold workers. The cluster's start-up is timed apart (an operator's cluster is up before the
night); the run's wall time includes Prefect's start-up and the workers' first imports.
The ledger is SQLite under the workdir; with `--db-url` (a PostgreSQL server where that
user may create databases) each configuration gets a new database of its own on that server.

Printed per N: wall time, files/s and files/s per worker, the load average before and after
each configuration, and each run split into its start (to the first file recorded) and its
steady rate. From these, each run as `fixed + n / steady`, the lines that say from how many
reports each cluster beats the local run on this machine (or that it does not), and a
projection for 8 workers with a core each.

Run: `.venv/bin/python bench/bench_scale.py [N ...] [--db-url URL]` (default N: 1000).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

N_FILES = 1000
WORKERS = (0, 2, 4)  # 0: local, Prefect's thread pool
PROJECTED_WORKERS = (8,)  # an 8-core node


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
        print_crossover(rows)


def print_table(n: int, rows: list[dict]) -> None:
    print(f"\n{n} reports")
    print(
        f"{'configuration':<21}{'cluster up s':>13}{'run wall s':>11}{'files/s':>8}"
        f"{'/worker':>8}{'vs local':>9}{'start s':>8}{'fixed s':>8}{'steady f/s':>11}"
        f"{'load avg':>11}"
    )
    for r in rows:
        rate = r["processed"] / r["run"]
        load = f"{r['load_before']:.1f}→{r['load_after']:.1f}"
        print(
            f"{label(r):<21}{r['cluster']:>13.1f}{r['run']:>11.1f}{rate:>8.1f}"
            f"{rate / max(1, r['workers']):>8.1f}{rows[0]['run'] / r['run']:>8.2f}x"
            f"{r['start']:>8.1f}{fixed(r):>8.1f}{r['steady']:>11.1f}{load:>11}"
        )
    print(
        "start s: to the first file recorded (Prefect, the plan, the workers' imports and "
        "language pipelines); steady f/s: files recorded per second after it; fixed s: the "
        "wall time less the files at the steady rate (what does not grow with the inbox); "
        "load avg: 1-minute, before→after"
    )


def label(row: dict) -> str:
    return "local (4 threads)" if not row["workers"] else f"LocalCluster {row['workers']}×1"


def fixed(row: dict) -> float:
    if not row["steady"]:
        return row["run"]
    return row["run"] - max(0, row["processed"] - 1) / row["steady"]


def wins_from(local: dict, fixed_s: float, steady: float) -> float | None:
    """The inbox size from which fixed_s + n/steady beats the local run's, None: never."""
    if not local["steady"] or steady <= local["steady"]:
        return None
    return max(0.0, (fixed_s - fixed(local)) / (1 / local["steady"] - 1 / steady))


def print_crossover(rows: list[dict]) -> None:
    """From the figures, each run as `fixed + n / steady`: from how many reports each
    cluster beats the local run here, the verdict, and a projection for a node with a core
    per worker (the per-worker steady rate measured here, the fixed time measured here)."""
    local, clusters = rows[0], rows[1:]
    found = {}
    for r in clusters:
        found[r["workers"]] = n = wins_from(local, fixed(r), r["steady"])
        when = f"wins from about {math.ceil(n)} reports" if n is not None else "never wins"
        print(
            f"{label(r)}: {when} here (steady {r['steady']:.1f} vs local "
            f"{local['steady']:.1f} files/s; fixed {fixed(r):.1f} vs {fixed(local):.1f} s)"
        )
    winning = {w: n for w, n in found.items() if n is not None}
    if winning:
        workers = min(winning, key=lambda w: (winning[w], w))
        print(
            f"ON THIS MACHINE ({os.cpu_count()} cores): the cluster path wins from about "
            f"{math.ceil(winning[workers])} reports, with {workers} workers"
        )
    else:
        print(
            f"ON THIS MACHINE ({os.cpu_count()} cores): the cluster path does not win at any "
            "inbox size (its steady rate is not above the local run's)"
        )
    per_worker = max(r["steady"] / r["workers"] for r in clusters)
    base = min(clusters, key=fixed)
    for workers in PROJECTED_WORKERS:
        n = wins_from(local, fixed(base), per_worker * workers)
        when = f"wins from about {math.ceil(n)} reports" if n is not None else "never wins"
        print(
            f"projection, {workers} workers with a core each: {when} (assumes "
            f"{per_worker:.1f} files/s per worker, the best measured here, and the fixed "
            f"{fixed(base):.1f} s of the {label(base)} run)"
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

    from flows.nightly import ingest_now
    from flows.tasks import ledger_url
    from tests.fixtures.run_settings import run_settings

    if db_url:
        db_url = fresh_database(db_url, f"bench_scale_{inbox.name.replace('-', '_')}_{workers}")
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
    settings = run_settings(inbox, workdir, dask_address=address, db_url=db_url)
    load_before, began = os.getloadavg()[0], datetime.now(UTC).replace(tzinfo=None)
    t0 = time.perf_counter()
    with embedded_run(dask_address=address):
        inbox_run = ingest_now(settings)
    run = time.perf_counter() - t0
    if cluster:
        cluster.close()
    start, steady = pace(ledger_url(settings), began)
    figures = {"workers": workers, "cluster": started, "run": run, "start": start}
    figures |= {"steady": steady, "load_before": load_before, "load_after": os.getloadavg()[0]}
    print(json.dumps({**figures, "processed": inbox_run.processed}), flush=True)


def fresh_database(url: str, name: str) -> str:
    """An empty database `name` on the server of `url` (dropped first if left by a past
    run); its URL."""
    import psycopg

    server = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{url.rsplit('/', 1)[0]}/{name}"


def pace(url: str, began: datetime) -> tuple[float, float]:
    """Seconds from `began` to the first file recorded, and files recorded per second from
    then to the last (the ledger's first-seen times, UTC, from the same clock)."""
    from ledger.db import Ledger

    with Ledger(url) as ledger:
        seen = sorted(r.first_seen for r in ledger.reports())
    if len(seen) < 2:  # no rate to speak of
        return ((seen[0] - began).total_seconds() if seen else 0.0), 0.0
    span = (seen[-1] - seen[0]).total_seconds()
    return (seen[0] - began).total_seconds(), (len(seen) - 1) / max(span, 1e-3)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--night":
        tmp, inbox, workers, *db = sys.argv[2:]
        night(Path(tmp), Path(inbox), int(workers), db[0] if db else None)
    else:
        main()
