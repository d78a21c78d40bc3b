"""Thin Prefect tasks over the plain functions of the other packages.

Tasks take and return model objects (or paths); the ledger travels as its URL, never as an
open engine, so a task can run on a Dask worker and open the ledger there. Retries are for
I/O only: reading files from the inbox or a network share, and the ledger's database. A
file the readers refuse is not an error at all (`ingest_file` records it as rejected).
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger
from sqlalchemy.exc import OperationalError

from core.errors import WorkdirUnreachable
from core.model import Outcome, Plan, Report
from core.once import once
from extractors.decree import read_decree
from flows.config import Settings
from ledger.db import LEDGER_FILE, Ledger
from ledger.inbox import InboxSettings, file_sha256, ingest_file, look_inbox, settled
from ledger.listing import display_name
from normalizers.plan_normalize import normalize_plan
from outputs.changes import since_last_run, write_changes
from outputs.compliance import ComplianceResult, build_compliance
from outputs.compliance_settings import ComplianceSettings
from outputs.datasets import write_datasets
from outputs.ledger_views import write_ledger_views
from outputs.page import write_page
from outputs.workbook import write_workbook

IO_RETRIES = 2
IO_RETRY_DELAYS = [1, 5]  # seconds: a network share or a database that blinked

# The exceptions worth a retry: a file, share or database briefly unreachable or locked.
TRANSIENT: tuple[type[BaseException], ...] = (OSError, TimeoutError, OperationalError)


class UnreadableInboxFile(OSError):
    """An inbox file not read or not recorded (vanished, share offline, ledger locked)."""


def retry_on_io(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: retry transient I/O, never a deterministic failure."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False


def io_task(**options):
    """@task with the I/O retry policy and no Prefect cache: the ledger decides what is new,
    and Prefect's default (input-hashing) policy would hash whole plans for every file."""
    return task(
        cache_policy=NO_CACHE,
        retries=IO_RETRIES,
        retry_delay_seconds=IO_RETRY_DELAYS,
        retry_condition_fn=retry_on_io,
        **options,
    )


# --------------------------------------------------------------------------- ledger access


def ledger_url(settings: Settings) -> str:
    """The shared database when configured, else SQLite under the workdir."""
    if settings.db_url:
        return settings.db_url
    settings.workdir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.workdir / LEDGER_FILE}"


@once
def open_ledger(url: str) -> Ledger:
    """One Ledger (engine + pool) per URL per process: tasks on the same worker share it."""
    return Ledger(url)


# --------------------------------------------------------------------------- plan


@io_task()
def read_plan(decree: Path) -> Plan:
    """Extract and normalize a decree (UnreadableDecree is not retried: it will not heal)."""
    return normalize_plan(read_decree(Path(decree)))


@io_task()
def save_plan(plan: Plan, url: str) -> bool:
    return open_ledger(url).save_plan(plan)


@io_task()
def stored_plan(decree: Path, url: str) -> Plan | None:
    """The plan already loaded from a decree with these bytes, None when it must be read.
    (By bytes, not by plan_id: an edited decree is read again, an older one is not.)"""
    return open_ledger(url).plan_by_sha(file_sha256(decree))


# --------------------------------------------------------------------------- inbox


class NewFiles(NamedTuple):
    """One look at the inbox against the ledger (`list_new_files`)."""

    new: list[Path]  # bytes the ledger has not seen, settled, first name of each sha256
    duplicates: list[tuple[Path, Path]]  # (copy, first) among the new ones
    known: int  # files whose bytes the ledger has
    skipped: list[tuple[str, str]]  # entries not taken (symlinks, folders, FIFOs), with why


@io_task()
def list_new_files(inbox: Path, url: str, settle_seconds: float) -> NewFiles:
    """The inbox files whose bytes the ledger has not seen, the same-bytes copies among them
    as (copy, first), how many files were known already, and the entries passed over.

    Hashing here (one read per file) keeps a night without new files cheap: known files never
    become task runs and need no settle wait (their bytes are recorded already). It also makes
    duplicates deterministic: the first name in sorted order is ingested, copies are reported.
    The inbox is listed and hashed once per run: the flow hands this to the chunk tasks."""
    listing = look_inbox(Path(inbox), InboxSettings(settle_seconds=0))
    files = listing.files
    hashed = {path: file_sha256(path) for path in files}
    recorded = open_ledger(url).known_files(hashed.values())
    unknown = [path for path in files if hashed[path] not in recorded]
    new: dict[str, Path] = {}
    duplicates: list[tuple[Path, Path]] = []
    for path in settled(unknown, settle_seconds, listing.signatures):
        if hashed[path] in new:
            duplicates.append((path, new[hashed[path]]))
        else:
            new[hashed[path]] = path
    return NewFiles(list(new.values()), duplicates, len(files) - len(unknown), listing.skipped)


# A task per chunk of files, not per file: each task run costs Prefect state changes and API
# events (~0.1 s here, more under load), which at 500 files was more than the reading itself.
# Chunks stay small enough that every worker gets a few (balance) and a chunk's progress shows.
FILES_PER_CHUNK_MAX = 50
CHUNKS_PER_WORKER = 2


def chunked(paths: list[Path], workers: int) -> list[list[Path]]:
    """`paths` in order, cut into about CHUNKS_PER_WORKER chunks per worker."""
    per_chunk = math.ceil(len(paths) / max(1, workers * CHUNKS_PER_WORKER))
    size = min(FILES_PER_CHUNK_MAX, max(1, per_chunk))
    return [paths[i : i + size] for i in range(0, len(paths), size)]


@dataclass(frozen=True)
class FileResult:
    """One file of a chunk: its Report without the entries (the flow needs the outcome, and
    the ledger has them), or why it could not be read (`error`). Chunk results stay in task
    states until the run ends, and come back pickled from a Dask worker: only what the
    run's summary uses."""

    path: Path
    report: Report | None = None
    error: str = ""


def ingest_one(path: Path, url: str, plan_shas: list[str], workdir: Path) -> Report:
    """One inbox file into the ledger, read against the plans of the decrees with these
    sha256s. A bad file comes back as a rejected Report (recorded, quarantined). A file that
    could not be read, or whose report could not be recorded (workdir or ledger trouble: a
    locked SQLite file, a share gone), raises: `ingest_chunk` tries it again, then reports
    it as failed, and the next run tries it again."""
    ledger = open_ledger(url)
    report = ingest_file(Path(path), ledger, plans_by_sha(url, plan_shas), Path(workdir))
    if not report.sha256 or not ledger.has_file(report.sha256):
        raise UnreadableInboxFile(f"{report.file}: {report.reason}")
    return report


def chunk_run_name(parameters: dict) -> str:
    """A chunk's task run is named after its first file, as the ledger shows it: a name that
    is not UTF-8 reaches Python with lone surrogates, and an event carrying those cannot be
    sent (Prefect logged an error for the run's Running and Completed events, and the UI lost
    them)."""
    return f"ingest {shown_name(parameters['paths'][0])} and the next files"


def shown_name(path: Path | str) -> str:
    """A file's name as the ledger shows it (`display_name`): safe in logs and events."""
    return display_name(Path(path).name)[0]


@io_task(task_run_name=chunk_run_name)
def ingest_chunk(
    paths: list[Path], url: str, plan_shas: list[str], workdir: Path
) -> list[FileResult]:
    """Each file of the chunk into the ledger (`ingest_one`), each accounted for. A file that
    fails with a transient I/O error is tried again here, IO_RETRIES times IO_RETRY_DELAYS
    apart (the same policy as Prefect's retries of the other tasks; a retry of the whole chunk
    would read its other files again); one that still fails, or fails for any other reason,
    is a FileResult with its error. Prefect retries the chunk only when it fails as a whole
    (the ledger unreachable before the first file)."""
    logger = get_run_logger()
    check_workdir(Path(workdir))
    plans_by_sha(url, plan_shas)  # fails the chunk early (and retried) when the ledger is down
    results = [_ingest_with_retries(Path(p), url, plan_shas, Path(workdir)) for p in paths]
    logger.info(chunk_line(results))
    return results


def chunk_line(results: list[FileResult]) -> str:
    """One log line per chunk, not per file: each line is an API call of its own, and the
    run's summary artifact names every file that needs a look. The names here are those."""
    outcomes = [(r.path, r.report.outcome if r.report else Outcome.FAILED) for r in results]
    counts = Counter(outcome for _, outcome in outcomes)
    fine = (Outcome.ACCEPTED, Outcome.NEEDS_REVIEW)
    look = [f"{shown_name(path)}: {outcome}" for path, outcome in outcomes if outcome not in fine]
    tally = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    return f"{len(results)} file(s): {tally}" + "".join(f"\n  {line}" for line in look)


def check_workdir(workdir: Path) -> None:
    """Fail the chunk before its first file when this process cannot use the workdir: a Dask
    worker on a machine without the shared workdir would otherwise archive into a local
    directory of its own (or fail half-way, file by file). Not created here, for that reason;
    the driver creates it. Not retried: a mount does not appear between retries."""
    if not workdir.is_dir():
        reason = f"workdir not found on {socket.gethostname()} (mount it at the same path)"
        raise WorkdirUnreachable(workdir, reason)
    if not os.access(workdir, os.W_OK | os.X_OK):
        raise WorkdirUnreachable(workdir, f"workdir not writable on {socket.gethostname()}")


def _ingest_with_retries(path: Path, url: str, plan_shas: list[str], workdir: Path) -> FileResult:
    for attempt in range(IO_RETRIES + 1):
        try:
            report = ingest_one(path, url, plan_shas, workdir)
            return FileResult(path, replace(report, entries=()))
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempt < IO_RETRIES:
                time.sleep(IO_RETRY_DELAYS[min(attempt, len(IO_RETRY_DELAYS) - 1)])
        except Exception as exc:  # a reader's bug: not retried, the file is reported failed
            return FileResult(path, error=f"{type(exc).__name__}: {exc}")
    return FileResult(path, error=error)


_PLANS: dict[tuple[str, str], Plan] = {}  # (ledger url, decree sha256) → plan


def plans_by_sha(url: str, sha256s: list[str]) -> list[Plan]:
    """The ledger's plans by their decree's sha256, decoded once per process (a worker's
    tasks share them). Tasks get the sha256s, not the plans: a plan is ~1 MB to pickle to a
    Dask worker, and Prefect walks every object passed to a task looking for futures."""
    plans = []
    for sha256 in sha256s:
        if (url, sha256) not in _PLANS:
            plan = open_ledger(url).plan_by_sha(sha256)
            if plan is None:
                raise LookupError(f"no plan from a decree with sha256 {sha256} in the ledger")
            _PLANS[url, sha256] = plan
        plans.append(_PLANS[url, sha256])
    return plans


# --------------------------------------------------------------------------- outputs


@io_task()
def load_plans(url: str, plan_ids: list[str] | None) -> list[Plan]:
    """The ledger's plans with these ids (in that order), or every plan when None."""
    by_id = {p.plan_id: p for p in open_ledger(url).plans()}
    return list(by_id.values()) if plan_ids is None else [by_id[i] for i in plan_ids if i in by_id]


@io_task()
def ledger_reports(url: str) -> list[Report]:
    return open_ledger(url).reports()


@task(cache_policy=NO_CACHE)
def compliance(
    plans: list[Plan], reports: list[Report], as_of: date, settings: Settings
) -> ComplianceResult:
    return build_compliance(plans, reports, as_of, compliance_settings(settings))


def compliance_settings(settings: Settings) -> ComplianceSettings:
    return ComplianceSettings(
        due_day=settings.due_day,
        timezone=settings.schedule.timezone,
        track_from=settings.track_from,
        coordinator=settings.coordinator,
    )


@io_task()
def write_views(url: str, out_dir: Path) -> list[Path]:
    """The ledger's files.csv and entries.csv (the writers create the folder)."""
    return list(write_ledger_views(open_ledger(url), out_dir))


@io_task()
def write_outputs(result: ComplianceResult, url: str, settings: Settings) -> dict[str, list[Path]]:
    """Datasets, workbook(s) and the ledger's CSV views under WORKDIR/out/ (the writers
    create the folder)."""
    out = settings.out_dir
    since = since_last_run(open_ledger(url), result)  # compare with the last run, record this
    return {
        "datasets": [*write_datasets(result, out), write_changes(since.changes, out)],
        "workbooks": (
            books := write_workbook(
                result,
                out,
                lang=settings.lang,
                per_agency=settings.per_agency,
                since=since,
                letter_settings=settings.letter.model_dump(),
            )
        ),
        "pages": [  # the page beside the workbook, with the trend over the recorded runs
            write_page(
                result,
                out,
                lang=settings.lang,
                runs=open_ledger(url).runs(),
                since=since,
                workbook=books[0],
            )
        ],
        "views": list(write_ledger_views(open_ledger(url), out)),
    }
