"""Ingest throughput: 500 generated reports (xlsx/docx/text-PDF/csv) into a fresh ledger.

Prints files/s (overall and per format) and peak memory. Target: >= 20 files/s on one core.
Run: `.venv/bin/python bench/bench_ingest.py [N]` (or `make bench`).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ledger.db import Ledger  # noqa: E402
from ledger.inbox import InboxSettings, ingest_file, list_inbox  # noqa: E402
from tests.fixtures.report_files import (  # noqa: E402
    write_csv_report,
    write_docx_report,
    write_pdf_report,
    write_xlsx_report,
)

DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
N_FILES = 500
TARGET_FILES_PER_S = 20
WRITERS = {
    ".xlsx": write_xlsx_report,
    ".docx": write_docx_report,
    ".pdf": write_pdf_report,
    ".csv": write_csv_report,
}
# (agency as printed, language, measures it is responsible for in the seed plan)
AGENCIES = [
    ("БИМ", "ky", ["4.1", "4.2", "4.3", "31.1"]),
    ("ССМ", "ru", ["8.1", "22.3", "25.1", "25.2"]),
    ("ИИМ", "ru", ["16.2", "16.3", "19.3"]),
    ("ММТМ", "ky", ["30.3", "31.3", "31.4"]),
    ("ЭСӨМ", "ky", ["20.3", "23.4", "32.2", "33.3"]),
]
PERIODS = {
    "ky": ["2019-жылдын 1-жарым жылдыгы", "2019-жылдын 2-жарым жылдыгы"],
    "ru": ["за 1 полугодие 2019 года", "за 2 полугодие 2019 года"],
}
STATUS = {"ky": ["аткарылды", "аткарылууда"], "ru": ["выполнено", "в стадии исполнения"]}


def generate(folder: Path, n: int) -> None:
    """n distinct reports, formats in rotation; every file differs (its letter number)."""
    suffixes = list(WRITERS)
    for i in range(n):
        agency, lang, measures = AGENCIES[i % len(AGENCIES)]
        suffix = suffixes[i % len(suffixes)]
        entries = [
            ("p", m, STATUS[lang][(i + k) % 2], f"Иш-чара боюнча маалымат №{i}-{k}.")
            for k, m in enumerate(measures)
        ]
        period = PERIODS[lang][i % 2]
        date_text = f"0{1 + i % 4}.07.2019 № 12-{i}"
        WRITERS[suffix](
            folder / f"{agency}_{i:04d}{suffix}", agency, period, date_text, entries, lang
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(n: int = N_FILES) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    plans = [normalize_plan(read_decree(DECREE))]
    with tempfile.TemporaryDirectory() as tmp:
        inbox, work = Path(tmp) / "inbox", Path(tmp) / "work"
        inbox.mkdir()
        t0 = time.perf_counter()
        generate(inbox, n)
        print(f"generated {n} reports in {time.perf_counter() - t0:.1f} s")
        rss_before = peak_rss_mb()
        per_format: dict[str, list[float]] = defaultdict(list)
        outcomes: dict[str, int] = defaultdict(int)
        with Ledger.for_workdir(work) as ledger:
            files = list_inbox(inbox, InboxSettings(settle_seconds=0))
            # The first file pays for building the language pipelines (once per process).
            t0, c0 = time.perf_counter(), time.process_time()
            outcomes[str(ingest_file(files[0], ledger, plans, work).outcome)] += 1
            warmup = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            for path in files[1:]:
                t = time.process_time()
                report = ingest_file(path, ledger, plans, work)
                per_format[path.suffix].append(time.process_time() - t)
                outcomes[str(report.outcome)] += 1
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            recorded = len(ledger.reports())
    n = len(files) - 1
    rate, cpu_rate = n / elapsed, n / cpu
    # CPU time is what one idle core would take; wall time also counts other processes.
    verdict = "OK" if cpu_rate >= TARGET_FILES_PER_S else "BELOW TARGET"
    print(f"first file (builds the language pipelines): {warmup:.1f} s")
    print(
        f"then {n} files in {elapsed:.1f} s wall / {cpu:.1f} s CPU: {rate:.1f} files/s wall, "
        f"{cpu_rate:.1f} files/s per CPU-second, one core (target >= {TARGET_FILES_PER_S}: "
        f"{verdict} by CPU time; wall time also counts other processes on a busy machine)"
    )
    for suffix, times in sorted(per_format.items()):
        print(
            f"  {suffix:6} {len(times):4d} files  {len(times) / sum(times):6.1f} files/CPU-s  "
            f"slowest {max(times) * 1000:.0f} ms CPU"
        )
    print(f"outcomes: {dict(outcomes)}; ledger rows: {recorded}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB (before ingest: {rss_before:.0f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_FILES)
