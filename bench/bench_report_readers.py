"""Report readers and report reading, per format: files/s on generated reports, one core.

Usage: python bench/bench_report_readers.py [FILES_PER_FORMAT]   (default 60)
Prints, per format, read_document files/s and read_document + read_report files/s (the
seed plan, 12 entries a report), plus the process's peak RSS. Warm-up (spaCy pipelines,
agency registry, plan) is excluded: it is paid once per process.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.decree import read_decree
from extractors.reports import read_document
from normalizers.plan_normalize import normalize_plan
from normalizers.report_reading import read_report
from tests.fixtures.report_files import (
    WRITERS,
)

DECREE = (
    Path(__file__).resolve().parents[1]
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)
STATUSES = ("аткарылды", "аткарылууда", "аткарылган жок", "")
STYLES = ("dot", "p", "chara_suffix", "plain")


def main(per_format: int) -> None:
    plan = normalize_plan(read_decree(DECREE))
    bim = [m for m in plan.measures if "БИМ" in m.obligated_codes][:12]
    entries = [
        (
            STYLES[i % 4],
            m.measure_id,
            STATUSES[i % 4],
            f"Иш-чаралар өткөрүлдү, маалымат тиркелет ({i}).",
        )
        for i, m in enumerate(bim)
    ]
    agency = ("Кыргыз Республикасынын Билим берүү жана илим министрлиги", "БИМ")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, writer in WRITERS.items():
            paths = [
                writer(
                    Path(tmp) / f"r{i}{suffix}",
                    agency,
                    f"{2019 + i % 2}-жылдын 1-жарым жылдыгы",
                    "03.07.2020 № 12-3/456",
                    entries,
                )
                for i in range(per_format)
            ]
            read_report(read_document(paths[0]), plan, paths[0].name)  # warm-up
            start = time.perf_counter()
            docs = [read_document(p) for p in paths]
            read_s = time.perf_counter() - start
            start = time.perf_counter()
            outcomes = [
                read_report(d, plan, p.name).outcome for d, p in zip(docs, paths, strict=True)
            ]
            reading_s = time.perf_counter() - start
            print(
                f"{suffix:6s} {per_format} files: read_document {per_format / read_s:7.1f} files/s; "
                f"read_document + read_report {per_format / (read_s + reading_s):6.1f} files/s; "
                f"accepted {outcomes.count('accepted')}/{per_format}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (whole process, spaCy + registry included)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
