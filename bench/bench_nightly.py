"""The nightly run over 500 generated reports: first run, second run (no new files), and
Prefect's own overhead reported apart from the work.

The work is measured by calling the very same task functions plainly (`task.fn`, in order,
one file after another in one thread, as `planwatch ingest` + `planwatch report` read) on a
fresh workdir, in a fresh process with a night's imports and warm-up; Prefect's overhead is
the flow's wall time minus that. The flow reads its chunks in one worker thread too
(`flows.nightly.READ_THREADS`): no side gets a second core, so the difference is the
framework's, not parallelism's. Nights log as `planwatch
run` does: Prefect's console quiet, the API (the UI's run logs) gets INFO.

Plain and flow runs alternate, PAIRS times, and the medians are reported: one sample
on a shared machine is noisy (12-28% for the same code). Each night runs in a process of
its own, as `planwatch run` does (the embedded API server started early, before the
imports), on the bench's Prefect home; Prefect's start-up (what is left of waiting for that
server, and a first flow run) is timed there on its own with an empty flow. Targets:
overhead <= 15% at 500 new reports; the second run costs no more than Prefect's start-up
plus 2 s; `make run`'s job <= 25 s on a fresh clone, its set-up line run first, untimed.

Run: `.venv/bin/python bench/bench_nightly.py [N [PAIRS]]` (or `make bench`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flows.prefect_env import embedded_run, prepare_prefect_env  # noqa: E402

N_FILES = 500
SECOND_RUN_BUDGET_S = 2.0  # on top of Prefect's start-up and the plain work
OVERHEAD_BUDGET = 0.15  # Prefect's overhead at 500 new reports, as a share of the plain work
PAIRS = 3  # plain + flow pairs, alternated; the medians decide (one sample is noisy)
MAKE_RUN_BUDGET_S = 25.0  # `make run`'s job on a fresh clone (set-up measured apart)


def settings_for(tmp: Path, inbox: Path, name: str):
    """A night over `inbox` into the workdir `tmp/name` (the tests' builder: the seed decree,
    as of 2020-07-20, and no 2 s "is the file still growing?" wait, a pause, not work)."""
    from tests.fixtures.run_settings import run_settings

    return run_settings(inbox, tmp / name)


def plain_run(settings) -> tuple[float, int, float]:
    """The flow's work without Prefect: the same task functions, called directly.
    Returns (wall s, new files, CPU s of this process)."""
    from flows import tasks

    # the per-file function (a plain function since files are batched into chunk tasks)
    ingest_one = getattr(tasks.ingest_one, "fn", tasks.ingest_one)

    t0, c0 = time.perf_counter(), time.process_time()
    url = tasks.ledger_url(settings)
    plans = []
    for decree in settings.decrees:
        plan = tasks.stored_plan.fn(decree, url)
        if plan is None:
            plan = tasks.read_plan.fn(decree)
            tasks.save_plan.fn(plan, url)
        plans.append(plan)
    new = tasks.list_new_files.fn(settings.inbox, url, 0).new
    shas = [p.sha256 for p in plans]
    for path in new:
        ingest_one(path, url, shas, settings.workdir)
    reports = tasks.ledger_reports.fn(url)
    result = tasks.compliance.fn(plans, reports, settings.as_of, settings)
    tasks.write_outputs.fn(result, url, settings)
    return time.perf_counter() - t0, len(new), time.process_time() - c0


def main(n: int = N_FILES, n_pairs: int = PAIRS) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="planwatch-bench-nightly-"))
    # A loaded machine can take minutes to start the embedded API: measure it, do not fail.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "900")
    prepare_prefect_env(tmp)  # a fresh Prefect home: the start-up includes its migrations
    from bench_ingest import generate

    inbox = tmp / "inbox"
    inbox.mkdir()
    t0 = time.perf_counter()
    generate(inbox, n)
    print(
        f"generated {n} reports in {time.perf_counter() - t0:.1f} s (load average {os.getloadavg()[0]:.1f})"
    )

    t0 = time.perf_counter()
    import flows.nightly  # noqa: F401

    print(f"import prefect + flows: {time.perf_counter() - t0:.1f} s")

    from prefect.logging import disable_run_logger

    # Warm-up outside every measurement: language pipelines, readers (once per process).
    with disable_run_logger():
        warm_inbox = tmp / "warmup-inbox"
        warm_inbox.mkdir()
        generate(warm_inbox, 4)  # one file per format
        plain_run(settings_for(tmp, warm_inbox, "warmup"))

    from statistics import median

    pairs = []
    for i in range(1, n_pairs + 1):  # each pair printed as it ends: a long bench shows progress
        plain, flow = pair(tmp, inbox, i)
        pairs.append((plain, flow))
        print(
            f"pair {i}: plain {plain[0]:5.1f} s / {plain[1]:4.1f} s, nightly {flow[0]['run']:5.1f} s"
            f" / {flow[1]['run']:4.1f} s (first / second run), Prefect start-up"
            f" {flow[0]['startup']:.1f} s / {flow[1]['startup']:.1f} s, overhead"
            f" {share_of(plain[0], flow[0]):.0%} in wall time, {cpu_share(plain, flow[0]):.0%} in CPU"
            f" time (load average {flow[0]['load']:.1f})",
            flush=True,
        )
    work1 = median(p[0] for p, _ in pairs)
    work2 = median(p[1] for p, _ in pairs)
    run1 = median(f[0]["run"] for _, f in pairs)
    run2 = median(f[1]["run"] for _, f in pairs)
    start2 = median(f[1]["startup"] for _, f in pairs)
    processed = pairs[0][1][0]["processed"]
    from flows.nightly import READ_THREADS

    print(
        f"medians of {n_pairs} pairs, each night in a process of its own; the plain side reads "
        f"in one thread, the flow in {READ_THREADS} worker thread(s)"
    )
    print(f"plain work, first run:  {work1:6.1f} s ({pairs[0][0][2]} files)")
    print(f"plain work, second run: {work2:6.1f} s")
    print(
        f"Prefect start-up (the rest of the early API server's start + a first flow run): night 1 of pair 1 "
        f"{pairs[0][1][0]['startup']:.1f} s (fresh Prefect home), later nights {start2:.1f} s"
    )
    print(
        f"nightly, first run:  {run1:6.1f} s wall, {processed} new files "
        f"→ Prefect overhead {run1 - work1:+.1f} s over the plain work"
    )
    print(
        f"nightly, second run: {run2:6.1f} s wall, {pairs[0][1][1]['processed']} new files "
        f"→ Prefect overhead {run2 - work2:+.1f} s over the plain work"
    )
    print(f"per new file: {(run1 - work1) / max(processed, 1) * 1000:.0f} ms of Prefect overhead")
    share = median(share_of(p[0], f[0]) for p, f in pairs)
    verdict = "OK" if share <= OVERHEAD_BUDGET else "ABOVE TARGET"
    print(
        f"{processed}-report night: Prefect overhead {share:.0%} of the plain work, median of {n_pairs} "
        f"pairs (target <= {OVERHEAD_BUDGET:.0%}): {verdict}"
    )
    print(
        f"the same in CPU time (flow process + its API server vs the plain run; steadier on "
        f"a loaded machine): {median(cpu_share(p, f[0]) for p, f in pairs):.0%}"
    )
    verdict = "OK" if run2 - work2 <= SECOND_RUN_BUDGET_S else "ABOVE TARGET"
    print(
        f"quiet night = start-up {start2:.1f} s + {run2:.1f} s, of which plain work {work2:.1f} s "
        f"(target: Prefect's part <= {SECOND_RUN_BUDGET_S:.0f} s): {verdict}"
    )
    setup, job, cpu = make_run_job(tmp)
    verdict = "OK" if job <= MAKE_RUN_BUDGET_S else "ABOVE TARGET"
    print(
        f"`make run` job (planwatch run on samples/inbox, fresh workdir and Prefect home, "
        f"set-up {setup:.1f} s apart): {job:.1f} s, {cpu:.1f} s CPU with its children "
        f"(target <= {MAKE_RUN_BUDGET_S:.0f} s): {verdict} (load average {os.getloadavg()[0]:.1f})"
    )
    first = pairs[0][1][0]
    print(f"workbook: {first['workbook']}; {first['counts']}")


def share_of(plain: float, night: dict) -> float:
    return (night["run"] - plain) / plain


def cpu_share(plain: tuple, night: dict) -> float:
    """Prefect's overhead in CPU time: the night's process and API server vs the plain run."""
    return (night["cpu"] - plain[3]) / plain[3]


def server_cpu() -> float:
    """CPU seconds used so far by this process's embedded Prefect API server (0 if none):
    the one `start_early` started, or one Prefect started lazily. Prefect's server module
    is not imported for this (it would load ~900 modules into the measured process)."""
    from flows.embedded_api import early_server

    served = sys.modules.get("prefect.server.api.server")
    early = early_server()
    processes = [early.process] if early is not None else []
    if served is not None:
        processes += [s.server_process for s in served.SubprocessASGIServer._instances.values()]
    total = 0.0
    for process in processes:
        if process is not None and process.poll() is None:
            stat = Path(f"/proc/{process.pid}/stat").read_text()
            fields = stat.rpartition(")")[2].split()  # utime, stime: fields 14, 15
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pair(tmp: Path, inbox: Path, i: int) -> tuple[tuple[float, float, int], tuple[dict, dict]]:
    """The plain work then the nightly flow, each on a fresh workdir, each run twice (the
    second run finds nothing new). Alternating keeps a burst of load from deciding alone."""
    work1, new1, cpu1, work2 = _child(["--plain", str(tmp), str(inbox), f"plain-{i}"])
    first = night_in_own_process(tmp, inbox, f"prefect-{i}")
    second = night_in_own_process(tmp, inbox, f"prefect-{i}")
    return (work1, work2, new1, cpu1), (first, second)


def make_run_job(tmp: Path) -> tuple[float, float, float]:
    """`make run` as a fresh clone runs it: a new workdir and a new Prefect home, its set-up
    line (the Prefect database made) first and untimed, then its job timed as a whole
    process. Returns (set-up s, job s, job CPU s with its children: Prefect's server, OCR)."""
    import resource
    import shlex

    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = make.split("\nrun:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    lines = [line.strip() for line in block.splitlines()[1:] if line.strip()]
    workdir = str(tmp / "make-run-work")
    keep = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"  # a loaded machine: measure
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") or k == keep}
    env["PREFECT_HOME"] = str(tmp / "make-run-prefect")
    timed = {}
    for line in lines:
        words = shlex.split(line.replace("$(BIN)/", ""))
        if words[0] == "planwatch":  # the job: this checkout's cli, as `planwatch`
            words[words.index("--workdir") + 1] = workdir
            cmd, what = [sys.executable, "-m", "cli.main", *words[1:]], "job"
        else:  # set-up: `python -m flows.embedded_api work`
            cmd, what = [sys.executable, *words[1:-1], workdir], "setup"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        timed[what] = (time.perf_counter() - t0, cpu)
    return timed.get("setup", (0.0, 0.0))[0], *timed["job"]


def night_in_own_process(tmp: Path, inbox: Path, workdir: str) -> dict:
    """One night as `planwatch run` lives it: a fresh process (and embedded API server) on
    the bench's Prefect home and `workdir`. In one process the second run would also pay for
    the server still digesting the first run's 500 task runs (~6 s here): no real night does."""
    return _child(["--night", str(tmp), str(inbox), workdir])


def _child(args: list[str]):
    """This script in a fresh process (`--night` or `--plain`): the JSON it prints."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{args[0]} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def plain_nights(tmp: Path, inbox: Path, workdir: str) -> None:
    """The plain side in a fresh process too, with the night's imports and warm-up: a
    process that has run other nights carries their heap, and its garbage collections
    cost more (that made the plain side ~10% dearer than a fresh night). Prints JSON:
    first run's wall s, new files, CPU s, then the second run's wall s."""
    from prefect.logging import disable_run_logger

    import flows.nightly  # noqa: F401  the same modules as a night's process

    with disable_run_logger():
        plain_run(settings_for(tmp, tmp / "warmup-inbox", f"warmup-{os.getpid()}"))
        work1, new1, cpu1 = plain_run(settings_for(tmp, inbox, workdir))
        work2, _, _ = plain_run(settings_for(tmp, inbox, workdir))
    print(json.dumps([work1, new1, cpu1, work2]))


def night(tmp: Path, inbox: Path, workdir: str) -> None:
    """The child of `night_in_own_process`: warm up, start Prefect, run, print JSON."""
    from cli.run import quiet_prefect
    from flows.embedded_api import start_early

    quiet_prefect(verbose=False)  # as `planwatch run`: console quiet, the API gets INFO
    start_early()  # as `planwatch run`: the server starts while the flow's modules import
    from prefect import flow
    from prefect.logging import disable_run_logger

    from flows.nightly import nightly_compliance

    with disable_run_logger():  # language pipelines and readers: work, not Prefect overhead
        plain_run(settings_for(tmp, tmp / "warmup-inbox", f"warmup-{os.getpid()}"))

    @flow(name="noop")
    def noop() -> None:
        return None

    with embedded_run():  # as `planwatch run` does
        t0 = time.perf_counter()
        noop()
        startup = time.perf_counter() - t0
        t0, c0, s0 = time.perf_counter(), time.process_time(), server_cpu()
        summary = nightly_compliance(settings_for(tmp, inbox, workdir))
        run = time.perf_counter() - t0
        cpu = time.process_time() - c0 + server_cpu() - s0
    figures = {
        "startup": startup,
        "run": run,
        "cpu": cpu,
        "processed": summary.inbox.processed,
        "load": os.getloadavg()[0],
        "workbook": str(summary.workbook),
        "counts": summary.counts_line(),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--night"]:
        prepare_prefect_env(Path(sys.argv[2]))
        night(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    elif sys.argv[1:2] == ["--plain"]:
        prepare_prefect_env(Path(sys.argv[2]))
        plain_nights(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    else:
        main(*(int(a) for a in sys.argv[1:3]))
