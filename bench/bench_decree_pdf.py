"""Decree PDF: the full plan read next to pdfplumber's bare table pass, in one run.

Renders the seed plan as a decree PDF (the fixture generator's CLI), then, each in a fresh
subprocess so memory figures do not mix:
  bare          page.extract_tables() over every page, page.close() after each
  bare-no-close the same without page.close() (what closing saves)
  full          read_decree(pdf): tables, stitching across pages, assembly, QA; it builds
                the pages' objects itself (extractors.decree_pdf.objects: pdfplumber's own
                dicts without a resolve call per attribute), so it may take less CPU than bare
and prints pages/s, the full/bare ratio (target <= 1.5x) and the peak RSS growth of each
(target < 100 MB), plus tracemalloc's peak of Python allocations. CPU time is the measure
for the ratio (wall time swings with whatever else the machine runs; both are printed).

Then the whole processes side by side, taken in turn (A B C D A B C D …) so a drifting
machine speed hits all alike, and the issue's three figures with their targets:
  plan / bare     `planwatch plan PDF --out DIR` (start-up, reading, normalizing, writing
                  the tables) against a process doing only pdfplumber's bare
                  `extract_tables()` over the same pages (its own start-up included): the
                  median of the pairs' CPU ratios (target <= 1.5x)
  start-up        `planwatch plan` on a file that is no plan (imports, argument checks,
                  sniffing the content, the one-line error): what the command costs before
                  it reads anything (target <= 1 s CPU)
  .docx           the seed plan rendered as Word .docx by the fixture generator
                  (tests/fixtures/decree_containers.py), read into its 117 measures by
                  `read_decree` as `planwatch plan` does, start-up included (target <= 2 s CPU)
A line says whether the installed libraries carry compiled bytecode: without it (and with
PYTHONDONTWRITEBYTECODE set) every process compiles spaCy and pandas from source, seconds
that no code change here removes.

    python bench/bench_decree_pdf.py [--repeat N] [--pairs N] [--pdf EXISTING.pdf]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEED = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
GENERATOR = ROOT / "tests/fixtures/decree_pdf.py"
CONTAINERS = ROOT / "tests/fixtures/decree_containers.py"
MODES = ("bare", "bare-no-close", "full")
RATIO_TARGET = 1.5
PEAK_TARGET_MB = 100.0
STARTUP_TARGET_S = 1.0
DOCX_TARGET_S = 2.0


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _bare(pdf_path: Path, close: bool) -> None:
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            if close:
                page.close()


def _full(pdf_path: Path) -> None:
    from extractors.decree import read_decree

    plan = read_decree(pdf_path)
    if len(plan.measures) != 117:
        raise SystemExit(f"{pdf_path}: read {len(plan.measures)} measures, expected 117")


def child(mode: str, pdf_path: Path, repeat: int, trace: bool) -> dict[str, float]:
    """One mode in this (fresh) process: best-of-`repeat` times and the peak memory."""
    import pdfplumber  # noqa: F401  (imports are not part of the measurement)

    import extractors.decree
    import extractors.decree_pdf  # noqa: F401

    run = {
        "bare": lambda: _bare(pdf_path, True),
        "bare-no-close": lambda: _bare(pdf_path, False),
        "full": lambda: _full(pdf_path),
    }[mode]
    rss_before = _status_kb("VmRSS")
    cpu, wall = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    result = {
        "cpu_s": min(cpu),
        "wall_s": min(wall),
        "peak_rss_mb": (_status_kb("VmHWM") - rss_before) / 1024,
    }
    if trace:
        tracemalloc.start()
        run()
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def measure(mode: str, pdf_path: Path, repeat: int, trace: bool) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--pdf",
        str(pdf_path),
        "--repeat",
        str(repeat),
    ]
    cmd += ["--trace"] if trace else []
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


BARE_PROCESS = (
    "import sys, pdfplumber\n"
    "with pdfplumber.open(sys.argv[1]) as pdf:\n"
    "    for page in pdf.pages:\n"
    "        page.extract_tables()\n"
    "        page.close()\n"
)


DOCX_PROCESS = (
    "import sys\nfrom pathlib import Path\nfrom extractors.decree import read_decree\n"
    "assert len(read_decree(Path(sys.argv[1])).measures) == 117\n"
)


def _process_seconds(cmd: list[str], expect_fail: bool = False) -> tuple[float, float]:
    """(CPU s of the finished child and its children, wall s) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=ROOT)
    if done.returncode != (2 if expect_fail else 0):
        raise SystemExit(f"{cmd}: exit {done.returncode}\n{done.stderr.decode()}")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def whole_processes(files: dict[str, Path], pairs: int, out_dir: Path) -> dict[str, list[float]]:
    """`planwatch plan` on the PDF, the bare table pass, `planwatch plan` on a file that is
    no plan (start-up) and reading the .docx, as whole processes taken in turn."""
    plan = [sys.executable, "-m", "cli.main", "plan"]
    commands = {
        "plan": [*plan, str(files["pdf"]), "--out", str(out_dir)],
        "bare": [sys.executable, "-c", BARE_PROCESS, str(files["pdf"])],
        "startup": [*plan, str(files["no-plan"]), "--out", str(out_dir)],
        "docx": [sys.executable, "-c", DOCX_PROCESS, str(files["docx"])],
    }
    times: dict[str, list[float]] = {f"{n}_{k}": [] for n in commands for k in ("cpu", "wall")}
    for _ in range(pairs):
        for name, cmd in commands.items():
            cpu, wall = _process_seconds(cmd, expect_fail=name == "startup")
            times[f"{name}_cpu"].append(cpu)
            times[f"{name}_wall"].append(wall)
    return times


LABELS = {
    "plan": "planwatch plan (PDF)",
    "bare": "bare extract_tables",
    "startup": "planwatch plan start-up",
    "docx": "read the .docx",
}


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "MISSED"


def report_processes(times: dict[str, list[float]]) -> None:
    ratios = [p / b for p, b in zip(times["plan_cpu"], times["bare_cpu"], strict=True)]
    walls = [p / b for p, b in zip(times["plan_wall"], times["bare_wall"], strict=True)]
    print(f"\nwhole processes, {len(ratios)} round(s) in turn (median):")
    for name, label in LABELS.items():
        cpu, wall = _median(times[f"{name}_cpu"]), _median(times[f"{name}_wall"])
        print(f"  {label:<26}{cpu:>8.2f} s CPU{wall:>8.2f} s wall")
    ratio, startup, docx = (
        _median(ratios),
        _median(times["startup_cpu"]),
        _median(times["docx_cpu"]),
    )
    print("\nissue 12, side by side (CPU; wall in brackets):")
    print(
        f"  planwatch plan / bare extract_tables {ratio:>6.2f}x  ({_median(walls):.2f}x)  "
        f"target <= {RATIO_TARGET}x  {_verdict(ratio, RATIO_TARGET)}"
    )
    print(
        f"  start-up of planwatch plan           {startup:>6.2f} s  "
        f"({_median(times['startup_wall']):.2f} s)  target <= {STARTUP_TARGET_S:.0f} s  "
        f"{_verdict(startup, STARTUP_TARGET_S)}"
    )
    print(
        f"  .docx of the seed plan read          {docx:>6.2f} s  "
        f"({_median(times['docx_wall']):.2f} s)  target <= {DOCX_TARGET_S:.0f} s  "
        f"{_verdict(docx, DOCX_TARGET_S)}"
    )
    print(f"  {bytecode_note()}")


def bytecode_note() -> str:
    """Whether importing spaCy/pandas reads compiled bytecode or compiles their sources."""
    import importlib.util
    import os

    missing = []
    for name in ("spacy", "pandas"):
        spec = importlib.util.find_spec(name)
        if (
            spec
            and spec.origin
            and not Path(importlib.util.cache_from_source(spec.origin)).exists()
        ):
            missing.append(name)
    if not missing:
        return "bytecode: the libraries' compiled bytecode is there (imports read it)"
    writes = "" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ", written on first import"
    return (
        f"bytecode: none cached for {' and '.join(missing)}{writes}: each process compiles "
        "their sources again (install with `uv pip install --compile-bytecode`)"
    )


def render_seed(out: Path, generator: Path = GENERATOR) -> Path:
    """The seed plan rendered by a fixture generator into `out` (its suffix picks the form)."""
    cmd = [sys.executable, str(generator), str(SEED), str(out)]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    return out


def no_plan(out: Path) -> Path:
    """A text file that is no plan: `planwatch plan` fails on it right after starting."""
    out.write_text("Бул документте план жок.\n", encoding="utf-8")
    return out


def report(pdf_path: Path, pages: int, results: dict[str, dict[str, float]]) -> None:
    print(f"\n{pdf_path.name}: {pages} pages (seed plan, 117 measures)\n")
    print(
        f"{'pass':<15}{'cpu s':>8}{'wall s':>8}{'pages/s':>9}{'peak RSS MB':>13}{'traced MB':>11}"
    )
    for mode, r in results.items():
        traced = f"{r['traced_peak_mb']:.1f}" if "traced_peak_mb" in r else "-"
        print(
            f"{mode:<15}{r['cpu_s']:>8.2f}{r['wall_s']:>8.2f}{pages / r['cpu_s']:>9.2f}"
            f"{r['peak_rss_mb']:>13.1f}{traced:>11}"
        )
    ratio = results["full"]["cpu_s"] / results["bare"]["cpu_s"]
    wall_ratio = results["full"]["wall_s"] / results["bare"]["wall_s"]
    peak = results["full"]["peak_rss_mb"]
    print(
        f"\nfull / bare: {ratio:.2f}x CPU ({wall_ratio:.2f}x wall)  target <= {RATIO_TARGET}x  "
        f"{'OK' if ratio <= RATIO_TARGET else 'MISSED'}"
    )
    print(
        f"full peak RSS growth: {peak:.1f} MB  target < {PEAK_TARGET_MB:.0f} MB  "
        f"{'OK' if peak < PEAK_TARGET_MB else 'MISSED'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, help="measure this PDF instead of rendering the seed")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per pass (best kept)")
    parser.add_argument("--pairs", type=int, default=3, help="whole-process pairs (median kept)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.pdf, args.repeat, args.trace)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf_path = args.pdf or render_seed(Path(tmp) / f"{SEED.stem}.pdf")
        import pdfplumber

        with pdfplumber.open(pdf_path) as pdf:
            pages = len(pdf.pages)
        results = {m: measure(m, pdf_path, args.repeat, trace=m == "full") for m in MODES}
        report(pdf_path, pages, results)
        files = {
            "pdf": pdf_path,
            "no-plan": no_plan(Path(tmp) / "no-plan.txt"),
            "docx": render_seed(Path(tmp) / f"{SEED.stem}.docx", CONTAINERS),
        }
        report_processes(whole_processes(files, args.pairs, Path(tmp) / "out"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
