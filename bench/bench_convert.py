"""Legacy formats through LibreOffice: conversion cost and ingest throughput of a mixed inbox.

`python bench/bench_convert.py one FILE [docx|xlsx]` converts one file, no cache: time it as a
whole process to get the conversion time per file.

`python bench/bench_convert.py legacy N [batch]` reads the legacy files of that inbox, one
LibreOffice run a file or all in one run (`report_legacy.prepare`).

`python bench/bench_convert.py [N]` ingests N generated reports, 20% of them legacy (.doc,
.xls, .odt, .ods, .rtf made by LibreOffice from generated docx/xlsx), the rest the current
mix (xlsx/docx/text-PDF/csv), into a fresh ledger on one core. CPU time counts LibreOffice
too (the children's user + system time), so files per CPU-second compare with the current
mix's figure. Prints files/CPU-s per group, files read right / tried per format (agency,
period and every measure id as written), and peak RSS of this process and of the children.
The generated inbox is kept in /tmp/planwatch-bench-convert-N (conversions are slow).
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

from bench.bench_ingest import AGENCIES, DECREE, PERIODS, STATUS, WRITERS  # noqa: E402
from extractors.convert import convert  # noqa: E402
from ledger.db import Ledger  # noqa: E402
from ledger.inbox import InboxSettings, ingest_file, list_inbox  # noqa: E402
from tests.fixtures.report_files import write_docx_report, write_xlsx_report  # noqa: E402

N_FILES = 100
LEGACY_SHARE = 0.2
LEGACY = {".doc": "docx", ".xls": "xlsx", ".odt": "docx", ".ods": "xlsx", ".rtf": "docx"}
PERIOD_OF = {0: "2019-H1", 1: "2019-H2"}


def _entries(i: int, lang: str, measures: list[str]) -> list:
    return [
        ("p", m, STATUS[lang][(i + k) % 2], f"Иш-чара боюнча маалымат №{i}-{k}.")
        for k, m in enumerate(measures)
    ]


def generate(folder: Path, n: int) -> dict[str, tuple[str, str, list[str]]]:
    """n distinct reports; every 1/LEGACY_SHARE-th is legacy. Returns the expected
    (agency, period, measure ids) per file name."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    current, legacy = list(WRITERS), list(LEGACY)
    every = round(1 / LEGACY_SHARE)
    for i in range(n):
        agency, lang, measures = AGENCIES[i % len(AGENCIES)]
        if i % every == every - 1:
            suffix = legacy[(i // every) % len(legacy)]
        else:
            suffix = current[i % len(current)]
        name = f"{agency}_{i:04d}{suffix}"
        expected[name] = (agency, PERIOD_OF[i % 2], measures)
        if (folder / name).exists():
            continue
        args = (agency, PERIODS[lang][i % 2], f"0{1 + i % 4}.07.2019 № 12-{i}")
        if suffix in WRITERS:
            WRITERS[suffix](folder / name, *args, _entries(i, lang, measures), lang)
            continue
        writer = write_docx_report if LEGACY[suffix] == "docx" else write_xlsx_report
        with tempfile.TemporaryDirectory() as tmp:
            source = writer(
                Path(tmp) / f"s.{LEGACY[suffix]}", *args, _entries(i, lang, measures), lang
            )
            convert(source, suffix[1:], None, Path(tmp)).replace(folder / name)
    return expected


def _cpu() -> float:
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _right(report, want: tuple[str, str, list[str]]) -> bool:
    agency, period, measures = want
    got = sorted(e.measure_id or "" for e in report.entries)
    return report.agency == agency and str(report.period) == period and got == sorted(measures)


def main(n: int = N_FILES) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, children too
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    plans = [normalize_plan(read_decree(DECREE))]
    inbox = Path(tempfile.gettempdir()) / f"planwatch-bench-convert-{n}"
    t0 = time.perf_counter()
    expected = generate(inbox, n)
    print(f"inbox of {n} reports ready in {time.perf_counter() - t0:.1f} s ({inbox})")
    cpu_by: dict[str, list[float]] = defaultdict(list)
    right: dict[str, list[bool]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp, Ledger.for_workdir(Path(tmp) / "work") as ledger:
        work = Path(tmp) / "work"
        files = list_inbox(inbox, InboxSettings(settle_seconds=0))
        ingest_file(files[0], ledger, plans, work)  # builds the language pipelines
        for path in files[1:]:
            c = _cpu()
            report = ingest_file(path, ledger, plans, work)
            cpu_by[path.suffix].append(_cpu() - c)
            right[path.suffix].append(_right(report, expected[path.name]))
    groups = {"current mix": list(WRITERS), "legacy": list(LEGACY)}
    total = [t for times in cpu_by.values() for t in times]
    print(
        f"all {len(total)} files: {len(total) / sum(total):.1f} files/CPU-s (LibreOffice included)"
    )
    for label, suffixes in groups.items():
        times = [t for s in suffixes for t in cpu_by.get(s, [])]
        print(f"  {label:12} {len(times):4d} files  {len(times) / sum(times):6.1f} files/CPU-s")
    for suffix in sorted(cpu_by):
        times, ok = cpu_by[suffix], right[suffix]
        print(
            f"  {suffix:6} read right {sum(ok)}/{len(ok)}  "
            f"median {sorted(times)[len(times) // 2] * 1000:.0f} ms CPU a file"
        )
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: {me:.0f} MB (this process), {kids:.0f} MB (largest child: LibreOffice)")


def legacy(n: int, batch: bool) -> None:
    """read_document over the legacy files of the generated inbox, one LibreOffice run per
    file, or (`batch`) after `report_legacy.prepare` converted them all in one run each."""
    from extractors import report_legacy
    from extractors.reports import ReaderSettings, read_document

    files = sorted(
        p
        for p in (Path(tempfile.gettempdir()) / f"planwatch-bench-convert-{n}").iterdir()
        if p.suffix in LEGACY
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = ReaderSettings(convert_cache=tmp)
        c, t = _cpu(), time.perf_counter()
        if batch:
            report_legacy.prepare(files, settings)
        for path in files:
            read_document(path, settings)
        cpu, wall = _cpu() - c, time.perf_counter() - t
    how = "batch (prepare)" if batch else "one run a file"
    print(
        f"{len(files)} legacy files, {how}: {len(files) / cpu:.2f} files/CPU-s, {wall:.1f} s wall"
    )


def one(path: str, target: str = "") -> None:
    source = Path(path)
    target = target or ("xlsx" if source.suffix.lower() in (".xls", ".ods") else "docx")
    with tempfile.TemporaryDirectory() as tmp:
        convert(source, target, None, Path(tmp))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        one(*sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "legacy":  # legacy N [batch]
        legacy(int(sys.argv[2]), sys.argv[3:] == ["batch"])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else N_FILES)
