"""Compliance + datasets + workbook for the seed plan with 1,000 generated reports.

Prints seconds (build, datasets, workbook) and peak memory. Target: build under 5 s and
the process under 500 MB. Run: `.venv/bin/python bench/bench_compliance.py [N]` (or
`make bench`). Reports are generated as `core.model.Report` values (the ledger's output),
so this measures the compliance rules and the writers, not the file readers.
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.model import DateSource, Entry, LinkMethod, Outcome, Period, Plan, Report, Status  # noqa: E402
from extractors.decree import read_decree  # noqa: E402
from normalizers.plan_normalize import normalize_plan  # noqa: E402
from outputs.compliance import build_compliance, due_date  # noqa: E402
from outputs.compliance_settings import ComplianceSettings  # noqa: E402
from outputs.datasets import write_datasets  # noqa: E402
from outputs.workbook import write_workbook  # noqa: E402

DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
N_REPORTS = 1000
AS_OF = date(2020, 7, 20)
TARGET_SECONDS = 5.0
TARGET_MB = 500
SEED = 443
STATUSES = [
    Status.COMPLETED,
    Status.IN_PROGRESS,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.UNCLEAR,
]


def generate_reports(plan: Plan, n: int, rng: random.Random) -> list[Report]:
    """n reports from the plan's obligated agencies, on their own measures, around the due dates."""
    by_agency: dict[str, list[str]] = {}
    for m in plan.measures:
        for code in m.obligated_codes:
            by_agency.setdefault(code, []).append(m.measure_id)
    agencies = sorted(by_agency)
    first, last = plan.years or (2018, 2020)
    periods = [Period(y, h) for y in range(first, last + 1) for h in (1, 2)] + [Period(2019)]
    settings = ComplianceSettings()
    reports = []
    for i in range(n):
        agency, period = rng.choice(agencies), rng.choice(periods)
        received = due_date(period, settings) + timedelta(days=rng.randint(-20, 40))
        measures = by_agency[agency]
        entries = tuple(
            Entry(
                mid,
                str(rng.choice(STATUSES)),
                f"Аткарылышы {i}.{k}",
                LinkMethod.REFERENCE,
                1.0,
                f"row {k + 2}",
            )
            for k, mid in enumerate(rng.sample(measures, k=max(1, int(len(measures) * 0.8))))
        )
        outcome = Outcome.REJECTED if i % 50 == 0 else Outcome.ACCEPTED
        reports.append(
            Report(
                file=f"{agency}_{period}_{i}.xlsx",
                sha256=f"{i:064x}",
                size=10_000,
                first_seen=datetime(received.year, received.month, received.day, 8),
                outcome=outcome,
                reason="corrupt" if outcome == Outcome.REJECTED else "",
                agency=agency,
                period=period,
                received_date=received,
                received_source=DateSource.CONTENT,
                entries=entries if outcome != Outcome.REJECTED else (),
            )
        )
    return reports


def main(n: int = N_REPORTS) -> int:
    plan = normalize_plan(read_decree(DECREE))
    reports = generate_reports(plan, n, random.Random(SEED))
    entries = sum(len(r.entries) for r in reports)
    t0 = time.perf_counter()
    result = build_compliance([plan], reports, AS_OF)
    t_build = time.perf_counter() - t0
    # A second, traced run for the memory the build itself allocates (tracing slows it down).
    tracemalloc.start()
    build_compliance([plan], reports, AS_OF)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        write_datasets(result, Path(tmp))
        t_data = time.perf_counter() - t1
        t2 = time.perf_counter()
        write_workbook(result, Path(tmp), per_agency=True)
        t_book = time.perf_counter() - t2
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    f = result.figures
    print(f"plan: {len(plan.measures)} measures; reports: {n} ({entries} entries); as of {AS_OF}")
    print(
        f"rows: {len(result.compliance)} compliance, {len(result.submissions)} submissions, {len(result.review)} review"
    )
    print(
        f"overdue {f['overdue']}, unreported {f['unreported']}, reporting rate {f['reporting_rate']:.0%}"
    )
    print(f"build_compliance: {t_build:.2f} s (peak traced {traced_peak / 2**20:.1f} MB)")
    print(f"write_datasets: {t_data:.2f} s; write_workbook (+ per agency): {t_book:.2f} s")
    print(f"peak RSS (whole process): {rss_mb:.0f} MB")
    ok = t_build < TARGET_SECONDS and rss_mb < TARGET_MB
    print(f"target (< {TARGET_SECONDS:.0f} s, < {TARGET_MB} MB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else N_REPORTS))
