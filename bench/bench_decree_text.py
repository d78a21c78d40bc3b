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
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        plan = read_decree(SEED)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    read_decree(SEED)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"seed text decree: {len(plan.measures)} measures, {len(plan.findings)} finding(s); "
        f"wall best {min(times):.3f} s, median {statistics.median(times):.3f} s; "
        f"CPU best {min(cpu):.3f} s over {RUNS} runs; "
        f"peak traced memory {peak / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main()
