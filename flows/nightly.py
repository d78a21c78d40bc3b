"""The nightly compliance run: decree(s) → ledger, inbox → ledger, ledger → datasets + workbook.

Flows only wire tasks (`flows.tasks`) over the other packages' functions:

    nightly_compliance(settings)
      ├─ load_plan(decree, settings)          per configured decree; skipped when its sha256 is loaded
      ├─ list_new_files                       the inbox listed and hashed once against the ledger
      ├─ ingest_chunk × chunks                one task per chunk of NEW files (sha256 not in the
      │                                      ledger), a few chunks per worker; no sub-flow
      ├─ compliance → datasets, workbook(s), ledger views
      └─ artifacts: markdown summary + per-agency table

Chunks of files run on Prefect's thread pool, or on a Dask cluster when
`settings.dask_address` is set (the ledger then must be a shared database: `db_url`).
"""

# No `from __future__ import annotations` here: Prefect validates flow parameters from the
# real annotations, and a served run loads this file by path, where a string "Settings"
# annotation cannot be resolved ("Nightly_ComplianceModel is not fully defined").
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, unmapped
from prefect.logging import get_run_logger
from prefect.utilities.annotations import quote

from core.model import Plan, Report
from flows import tasks
from flows.artifacts import (
    DUPLICATE,
    FAILED,
    FileOutcome,
    InboxRun,
    NightlySummary,
    json_safe,
    publish_artifacts,
)
from flows.config import Settings
from ledger.inbox import clean_leftovers
from ledger.lock import workdir_lock

INGEST_THREADS = 4  # the task workers chunks are cut for (`workers_of`)
# Chunks run one at a time in this process: reading is GIL-bound, and each extra reader
# thread made every file dearer (500 reports on 2 cores, CPU of the readers: 1 thread
# 12.9 s, 2 threads 16.7 s, 4 threads 18.6 s, plain loop 12.6 s); the switches between
# threads fighting for the GIL cost more than the I/O they overlap. Parallel reading is
# the Dask path's job (a process per core).
READ_THREADS = 1


def task_runner_for(settings: Settings):
    """Prefect's thread pool by default; prefect-dask's runner on an existing cluster."""
    if not settings.dask_address:
        from prefect.task_runners import ThreadPoolTaskRunner

        # A worker thread, not the flow's own: the flow thread waits and reports progress.
        return ThreadPoolTaskRunner(max_workers=READ_THREADS)
    from flows.dask_runner import DrainingDaskTaskRunner  # prefect-dask's, events flushed

    return DrainingDaskTaskRunner(address=settings.dask_address)


def today_in(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


@flow(name="load-plan", log_prints=True)
def load_plan(decree: Path, settings: Settings) -> Plan:
    """Extract and normalize a decree into the ledger. Started by `configured_plans` only
    for bytes the ledger has no plan of (asking `stored_plan` again here hashed the decree
    and ran a task twice per first night); `save_plan` keeps the first of two racing runs."""
    logger = get_run_logger()
    plan = tasks.read_plan(decree)
    tasks.save_plan(quote(plan), tasks.ledger_url(settings))
    logger.info(
        "%s: plan %s loaded, %d measures", Path(decree).name, plan.plan_id, len(plan.measures)
    )
    return plan


def ingest_new(settings: Settings, plans: list[Plan], listing: tasks.NewFiles) -> InboxRun:
    """The new files of `listing` into the ledger, as chunk tasks of the calling flow run on
    the configured task runner; each file accounted for, none fails the flow.

    Reports are read against `plans`, or every plan in the ledger when none is configured;
    the tasks get the plans' decree sha256s (a plan is ~1 MB to pickle to a Dask worker).
    No sub-flow of its own: a sub-flow run cost ~0.6 s of API round trips and engine set-up
    per night and recorded nothing the chunk task runs do not."""
    logger = get_run_logger()
    url = tasks.ledger_url(settings)
    plans = plans or tasks.load_plans(url, None)
    new, duplicates, known = listing.new, listing.duplicates, listing.known
    logger.info(
        "inbox %s: %d new file(s), %d already in the ledger", settings.inbox, len(new), known
    )
    chunks = tasks.chunked(new, workers_of(settings))
    with task_runner_for(settings) as runner:
        futures = runner.map(
            tasks.ingest_chunk,
            {
                "paths": chunks,
                "url": unmapped(url),
                "plan_shas": unmapped([p.sha256 for p in plans]),
                "workdir": unmapped(settings.workdir),
            },
        )
        states = wait_reporting(futures, [len(c) for c in chunks])
    outcomes = tuple(
        outcome
        for chunk, state in zip(chunks, states, strict=True)
        for outcome in chunk_outcomes(chunk, state)
    ) + tuple(FileOutcome(c.name, DUPLICATE, f"same bytes as {f.name}") for c, f in duplicates)
    for o in outcomes:
        if o.outcome == FAILED:
            logger.warning("%s: could not be read (%s); the next run tries again", o.file, o.reason)
    return InboxRun(outcomes=outcomes, known=known, skipped=tuple(listing.skipped))


def wait_reporting(futures, sizes: list[int]) -> list:
    """Wait for the chunks, telling the progress callback (if any) as each one finishes;
    the chunks' final states, in order."""
    from prefect.futures import as_completed

    index = {id(f): i for i, f in enumerate(futures)}
    done, total = 0, sum(sizes)
    for future in as_completed(list(futures)):
        done += sizes[index[id(future)]]
        if _progress is not None:
            _progress(done, total)
    for future in futures:
        future.wait()  # keeps the final state here; `.state` alone asks the API, which may lag
    return [f.state for f in futures]


def chunk_outcomes(paths: list[Path], state) -> list[FileOutcome]:
    """A chunk's final state → one outcome per file. A file that failed is a FAILED outcome
    with the exception's message (not recorded in the ledger: the next run tries it again);
    a chunk that failed as a whole makes each of its files FAILED."""
    if not state.is_completed():
        return [state_to_outcome(path, state) for path in paths]
    return [
        report_to_outcome(r.report, Path(r.path).name)
        if r.report is not None
        else FileOutcome(file=Path(r.path).name, outcome=FAILED, reason=r.error)
        for r in state.result()
    ]


def state_to_outcome(path: Path, state) -> FileOutcome:
    """A failed task state → the file's FAILED outcome, with the exception's message."""
    try:
        state.result()
    except Exception as exc:  # the task's own exception, after its retries
        reason = f"{type(exc).__name__}: {exc}"
    else:
        reason = state.message or state.name
    return FileOutcome(file=Path(path).name, outcome=FAILED, reason=reason)


# The `on_progress(done, total)` callback of the run in this process (`planwatch run` sets
# it): files ingested so far. Not a flow parameter: parameters are stored by the API.
_progress: Callable[[int, int], None] | None = None


@contextmanager
def reporting_progress(on_progress: Callable[[int, int], None] | None) -> Iterator[None]:
    """Within this block, `ingest_new` tells `on_progress` as each chunk of files ends."""
    global _progress
    previous, _progress = _progress, on_progress
    try:
        yield
    finally:
        _progress = previous


def workers_of(settings: Settings) -> int:
    """How many task workers the chunks are cut for (a Dask cluster: as many as threads)."""
    return INGEST_THREADS


def report_to_outcome(report: Report, name: str) -> FileOutcome:
    """`name` is the file in the inbox; the ledger may know the same bytes by another name."""
    reason = report.reason if report.file == name else f"same bytes as {report.file}"
    return FileOutcome(
        file=name,
        outcome=str(report.outcome) if report.file == name else DUPLICATE,
        reason=reason,
        agency=report.agency,
        period=str(report.period) if report.period else None,
    )


@flow(name="nightly-compliance")
def nightly_compliance(settings: Settings) -> NightlySummary:
    """Load the plan(s), ingest what is new, write datasets + workbook(s), publish artifacts.

    A decree already loaded and an inbox with nothing new are settled by one task each; only
    a decree to read starts the `load-plan` sub-flow (a sub-flow run costs ~0.5 s of API
    round trips even when it does nothing), new files are chunk tasks of this run."""
    logger = get_run_logger()
    with workdir_lock(settings.workdir, on_stale=logger.warning):
        clean_leftovers(settings.workdir)
        as_of = settings.as_of or today_in(settings.schedule.timezone)
        url = tasks.ledger_url(settings)
        plans = configured_plans(settings)
        inbox = ingest_if_new(settings, plans)

        judged = plans or tasks.load_plans(url, None)
        reports = tasks.ledger_reports(url)
        result = tasks.compliance(quote(judged), quote(reports), as_of, settings)
        written = tasks.write_outputs(quote(result), url, settings)

        summary = NightlySummary(
            as_of=as_of,
            plans=tuple(p.plan_id for p in judged),
            inbox=inbox,
            workbooks=tuple(written["workbooks"]),
            datasets=tuple(written["datasets"]),
            figures=json_safe(dict(result.figures)),
        )
        publish_artifacts(summary, result.agencies)
        logger.info("workbook: %s", summary.workbook)
        logger.info(summary.counts_line())
        return summary


def configured_plans(settings: Settings) -> list[Plan]:
    """The plan of each configured decree: from the ledger, or read by `load_plan`."""
    url = tasks.ledger_url(settings)
    return [tasks.stored_plan(d, url) or load_plan(d, settings) for d in settings.decrees]


def ingest_if_new(settings: Settings, plans: list[Plan]) -> InboxRun:
    """`ingest_new` when the inbox holds bytes the ledger has not seen; otherwise only the
    count of known files. The inbox is listed and hashed once; the settle wait applies only
    to files the ledger does not know (a quiet night never waits). Entries that are not
    plain files (symlinks, folders, FIFOs) are named with why, every night."""
    url = tasks.ledger_url(settings)
    listing = tasks.list_new_files(settings.inbox, url, settings.thresholds.settle_seconds)
    if not listing.new:
        get_run_logger().info(
            "inbox %s: nothing new, %d file(s) in the ledger", settings.inbox, listing.known
        )
        return InboxRun(known=listing.known, skipped=tuple(listing.skipped))
    return ingest_new(settings, plans, listing)


@flow(name="ingest-now")
def ingest_now(settings: Settings) -> InboxRun:
    """What `planwatch watch` runs on each batch: the plans, the new files, the ledger views.
    No compliance and no workbook: those stay the nightly run's job."""
    with workdir_lock(settings.workdir, on_stale=get_run_logger().warning):
        clean_leftovers(settings.workdir)
        plans = configured_plans(settings)
        inbox = ingest_if_new(settings, plans)
        tasks.write_views(tasks.ledger_url(settings), settings.out_dir)
    return inbox
