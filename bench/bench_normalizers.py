"""Print how long the normalizers take on the seed decree: pipeline build, then every
deadline and every responsible cell (warm), and find_agencies on report-like lines."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.decree import read_decree  # noqa: E402
from normalizers.agencies import find_agencies, registry, resolve  # noqa: E402
from normalizers.deadlines import grammar, parse_deadline  # noqa: E402
from normalizers.plan_normalize import normalize_plan  # noqa: E402

SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"


def timed(label: str, func, repeat: int = 1) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        func()
    seconds = (time.perf_counter() - started) / repeat
    cpu_seconds = (time.process_time() - cpu) / repeat  # wall time lies on a busy machine
    print(f"{label:<58} {seconds * 1000:8.1f} ms wall {cpu_seconds * 1000:8.1f} ms cpu")
    return seconds


def main() -> None:
    plan = read_decree(SEED)
    deadlines = [m.deadline_raw for m in plan.measures]
    cells = [m.responsible_raw for m in plan.measures]
    print(f"registry: {len(registry().agencies)} bodies; seed: {len(cells)} measures")
    timed("build: registry + deadline grammar (first call)", lambda: (registry(), grammar()))
    timed("build: ky + ru agency pipelines (first call)", lambda: (resolve("ЭСӨМ"), resolve("МОН")))
    timed(
        f"parse_deadline x {len(deadlines)} (warm, mean of 5)",
        lambda: [parse_deadline(d, plan.years) for d in deadlines],
        5,
    )
    timed(f"resolve x {len(cells)} (warm, mean of 5)", lambda: [resolve(c) for c in cells], 5)
    timed("normalize_plan(seed) (warm, mean of 5)", lambda: normalize_plan(plan), 5)
    lines = [
        "МИНИСТЕРСТВО ОБРАЗОВАНИЯ И НАУКИ КЫРГЫЗСКОЙ РЕСПУБЛИКИ",
        "БИМ_2019-1.xlsx",
        "ЭСӨМнүн 2019-жылдын 1-жарым жылдыгы үчүн отчету",
    ] * 100
    timed(f"find_agencies x {len(lines)} (warm)", lambda: [find_agencies(t) for t in lines])


if __name__ == "__main__":
    main()
