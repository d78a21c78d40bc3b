"""Thin Prefect tasks over the plain functions of the other packages.

Tasks take and return model objects (or paths); the ledger travels as its URL, never as an
open engine, so a task can run on a Dask worker and open the ledger there. Retries are for
I/O only: reading files from the inbox or a network share, and the ledger's database. A
file the readers refuse is not an error at all (`ingest_file` records it as rejected).
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger
from sqlalchemy.exc import OperationalError

from core.model import Plan, Report
from extractors.decree import read_decree
from flows.config import Settings
from ledger.db import LEDGER_FILE, Ledger
from ledger.inbox import InboxSettings, ingest_file, list_inbox
from normalizers.plan_normalize import normalize_plan
from outputs.compliance import ComplianceResult, build_compliance
from outputs.compliance_settings import ComplianceSettings
from outputs.datasets import write_datasets
from outputs.ledger_views import write_ledger_views
from outputs.workbook import write_workbook

IO_RETRIES = 2
IO_RETRY_DELAYS = [1, 5]  # seconds: a network share or a database that blinked
HASH_CHUNK = 1024 * 1024

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


@cache
def open_ledger(url: str) -> Ledger:
    """One Ledger (engine + pool) per URL per process: tasks on the same worker share it."""
    return Ledger(url)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- plan


@io_task()
def decree_sha256(decree: Path) -> str:
    return file_sha256(decree)


@io_task()
def read_plan(decree: Path) -> Plan:
    """Extract and normalize a decree (UnreadableDecree is not retried: it will not heal)."""
    return normalize_plan(read_decree(Path(decree)))


@io_task()
def save_plan(plan: Plan, url: str) -> bool:
    return open_ledger(url).save_plan(plan)


@io_task()
def stored_plan(sha256: str, url: str) -> Plan | None:
    """The plan already loaded from the decree with these bytes, None when it must be read."""
    ledger = open_ledger(url)
    if not ledger.has_plan_sha(sha256):
        return None
    # plans() keeps the latest version per plan_id: an older decree's bytes are read again.
    return next((p for p in ledger.plans() if p.sha256 == sha256), None)


# --------------------------------------------------------------------------- inbox


@io_task()
def list_new_files(
    inbox: Path, url: str, settle_seconds: float
) -> tuple[list[Path], list[tuple[Path, Path]], int]:
    """The inbox files whose bytes the ledger has not seen, the same-bytes copies among them
    as (copy, first), and how many files were known already.

    Hashing here (one read per file) keeps a night without new files cheap (known files never
    become task runs) and makes duplicates deterministic: the first name in sorted order is
    ingested, its copies are only reported."""
    ledger = open_ledger(url)
    new: dict[str, Path] = {}
    duplicates: list[tuple[Path, Path]] = []
    known = 0
    for path in list_inbox(Path(inbox), InboxSettings(settle_seconds=settle_seconds)):
        sha256 = file_sha256(path)
        if ledger.has_file(sha256):
            known += 1
        elif sha256 in new:
            duplicates.append((path, new[sha256]))
        else:
            new[sha256] = path
    return list(new.values()), duplicates, known


@io_task(task_run_name="ingest {path.name}")
def ingest_one(path: Path, url: str, plans: list[Plan], workdir: Path) -> Report:
    """One inbox file into the ledger. A bad file comes back as a rejected Report (recorded,
    quarantined). A file that could not be read, or whose report could not be recorded
    (workdir or ledger trouble: a locked SQLite file, a share gone), raises so that Prefect
    retries it; after the retries the flow reports it as failed and the next run tries again."""
    ledger = open_ledger(url)
    report = ingest_file(Path(path), ledger, plans, Path(workdir))
    if not report.sha256 or not ledger.has_file(report.sha256):
        raise UnreadableInboxFile(f"{report.file}: {report.reason}")
    get_run_logger().info("%s: %s %s", report.file, report.outcome, report.reason)
    return report


# --------------------------------------------------------------------------- outputs


@io_task()
def load_plans(url: str, plan_ids: list[str] | None) -> list[Plan]:
    """The ledger's plans with these ids (in that order), or every plan when None."""
    by_id = {p.plan_id: p for p in open_ledger(url).plans()}
    return list(by_id.values()) if plan_ids is None else [by_id[i] for i in plan_ids if i in by_id]


@io_task()
def ledger_contents(url: str, plan_ids: list[str] | None) -> tuple[list[Plan], list[Report]]:
    """The plans to judge (those of the configured decrees, or every plan) and all reports."""
    ledger = open_ledger(url)
    plans = [p for p in ledger.plans() if plan_ids is None or p.plan_id in plan_ids]
    return plans, ledger.reports()


@task(cache_policy=NO_CACHE)
def compliance(
    plans: list[Plan], reports: list[Report], as_of: date, settings: Settings
) -> ComplianceResult:
    return build_compliance(plans, reports, as_of, compliance_settings(settings))


def compliance_settings(settings: Settings) -> ComplianceSettings:
    return ComplianceSettings(due_day=settings.due_day, timezone=settings.schedule.timezone)


@io_task()
def write_views(url: str, out_dir: Path) -> list[Path]:
    """The ledger's files.csv and entries.csv."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return list(write_ledger_views(open_ledger(url), out_dir))


@io_task()
def write_outputs(result: ComplianceResult, url: str, settings: Settings) -> dict[str, list[Path]]:
    """Datasets, workbook(s) and the ledger's CSV views under WORKDIR/out/."""
    out = settings.out_dir
    out.mkdir(parents=True, exist_ok=True)
    return {
        "datasets": list(write_datasets(result, out)),
        "workbooks": list(
            write_workbook(result, out, lang=settings.lang, per_agency=settings.per_agency)
        ),
        "views": list(write_ledger_views(open_ledger(url), out)),
    }
