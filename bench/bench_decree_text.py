"""Extraction speed of the converter-text decree reader on the seed: read + assemble + QA.

Prints seconds per run (best and median of several) and the peak traced memory of one run.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from pathlib import Path

from extractors.decree import read_decree

SEED = (
    Path(__file__).parent.parent
    / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
)
RUNS = 5


def main() -> None:
    read_decree(SEED)  # warm-up: vocabulary files, regex compilation
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        plan = read_decree(SEED)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    read_decree(SEED)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"seed text decree: {len(plan.measures)} measures, {len(plan.findings)} finding(s); "
        f"best {min(times):.3f} s, median {statistics.median(times):.3f} s over {RUNS} runs; "
        f"peak traced memory {peak / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main()
