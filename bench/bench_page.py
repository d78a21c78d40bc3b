"""The HTML page for the seed plan with 1,000 generated reports (bench_compliance's
generator): its size and the time to write it, with no run history and with a year of
nightly runs (365 as-of days: the trend keeps the last MAX_RUNS), a "what changed" against
a week-earlier run on 900 of the reports; then the time to first render in headless
Chromium (Debian's, through Selenium; skipped with a reason when it cannot start).

Run: `.venv/bin/python bench/bench_page.py [N]`. Target: under 3 MB.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_compliance import AS_OF, DECREE, N_REPORTS, SEED, generate_reports  # noqa: E402

from core.model import RunRecord  # noqa: E402
from extractors.decree import read_decree  # noqa: E402
from normalizers.plan_normalize import normalize_plan  # noqa: E402
from outputs.changes import Since, compare, run_counts, run_rows  # noqa: E402
from outputs.compliance import build_compliance  # noqa: E402
from outputs.page import write_page  # noqa: E402
from outputs.page.model import MAX_RUNS  # noqa: E402

TARGET_BYTES = 3 * 1024 * 1024
N_RUNS = 365
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def history(result, n_runs: int, rng: random.Random) -> list[RunRecord]:
    """A year of nightly runs before this one, the counts drifting towards today's."""
    counts = run_counts(result)
    runs = []
    for i in range(n_runs):
        day = AS_OF - timedelta(days=n_runs - i)
        share = 0.5 + 0.5 * i / n_runs
        drift = {k: max(0, int(v * share + rng.randint(-2, 2))) for k, v in counts.items()}
        drift["expected"] = counts["expected"]
        runs.append(RunRecord(i + 1, datetime(day.year, day.month, day.day, 2), day, tuple(result.plan_titles), drift, ()))  # fmt: skip
    return runs


def first_render(paths: list[Path]) -> list[tuple[str, float, float]]:
    """(page, first contentful paint ms, load event ms) in headless Chromium."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download anything
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options
    )
    out = []
    try:
        driver.get("about:blank")  # start-up paid before the first measurement
        for path in paths:
            driver.get(path.as_uri())
            paint = driver.execute_script(
                "const p = performance.getEntriesByName('first-contentful-paint')[0];"
                "const n = performance.getEntriesByType('navigation')[0];"
                "return [p ? p.startTime : -1, n.loadEventEnd];"
            )
            out.append((path.name, float(paint[0]), float(paint[1])))
    finally:
        driver.quit()
    return out


def main(n: int = N_REPORTS) -> int:
    plan = normalize_plan(read_decree(DECREE))
    rng = random.Random(SEED)
    reports = generate_reports(plan, n, rng)
    result = build_compliance([plan], reports, AS_OF)
    earlier = build_compliance([plan], reports[: int(n * 0.9)], AS_OF - timedelta(days=7))
    since = Since(earlier.as_of, datetime(2020, 7, 13, 2), compare(run_rows(earlier), run_rows(result)))  # fmt: skip
    runs = history(result, N_RUNS, rng)
    print(f"plan: {len(plan.measures)} measures; reports: {n}; as of {AS_OF}")
    print(
        f"overdue rows: {result.figures['overdue']}; changes since a week ago: {len(since.changes)}"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        written = []
        for label, kw in (
            ("first run, no history", {}),
            (f"{N_RUNS} earlier runs (trend shows {MAX_RUNS})", {"runs": runs, "since": since}),
        ):
            for lang in ("ky", "ru"):
                folder = Path(tmp) / f"{lang}-{len(kw)}"
                t0 = time.perf_counter()
                page = write_page(result, folder, lang=lang, **kw)
                seconds = time.perf_counter() - t0
                size = page.stat().st_size
                ok &= size < TARGET_BYTES
                print(f"{lang} page, {label}: {size / 1024:.0f} KiB, written in {seconds:.2f} s")
                written.append(page)
        if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
            print(f"first render: skipped (no {CHROMIUM} / {CHROMEDRIVER})")
        else:
            for name, fcp, load in first_render(written[-2:]):
                print(f"headless Chromium, {name}: first contentful paint {fcp:.0f} ms, load event {load:.0f} ms")  # fmt: skip
    print(f"target (< {TARGET_BYTES // 2**20} MB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else N_REPORTS))
