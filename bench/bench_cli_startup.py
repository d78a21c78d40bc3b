"""How fast `planwatch` answers `--help` and a mistyped argument, per command.

Each case is a whole process (`python -m cli.main ...`), started RUNS times after one
warm-up; the figures are the median CPU seconds (user + system, the operating system's
accounting of the finished child) and the median wall seconds. CPU is the figure to quote
on a shared machine; wall is what a person waits for on a quiet one. Target (issue 16):
every answer in < 0.5 s.

`--baseline REV` runs the same cases against the tree of an older commit (extracted with
`git archive` into a temporary folder, nothing in the checkout changes), side by side.

Run: `.venv/bin/python bench/bench_cli_startup.py [--runs 5] [--baseline REV]`
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
TARGET_S = 0.5

# command -> its two argument errors (argv after the command), as people mistype them.
# Run in a folder holding `a-file` (a file), `inbox/` and `work/` (an empty folder).
ERRORS: dict[str, list[tuple[str, list[str]]]] = {
    "plan": [
        ("missing decree", ["/nonexistent.pdf", "--out", "x"]),
        ("missing --compare", [str(DECREE), "--out", "x", "--compare", "no.txt"]),
    ],
    "ingest": [
        ("missing inbox", ["--inbox", "nowhere", "--workdir", "w"]),
        ("workdir under a file", ["--inbox", "inbox", "--workdir", "a-file/w"]),
    ],
    "template": [
        ("unknown agency", ["ХХХ", "--period", "2019-H1", "--out", "t.xlsx"]),
        ("period outside plan", ["БИМ", "--period", "2031-H1", "--out", "t.xlsx"]),
    ],
    "report": [
        ("wrong date", ["--workdir", "work", "--as-of", "20.13.2020"]),
        ("no ledger", ["--workdir", "work"]),
    ],
    "run": [
        ("wrong date", ["--inbox", "inbox", "--as-of", "31.02.2020"]),
        ("missing inbox", ["--inbox", "nowhere"]),
    ],
    "serve": [
        ("missing config", ["--config", "no.toml"]),
        ("inbox is a file", ["--inbox", "a-file"]),
    ],
    "watch": [
        ("missing inbox", ["--inbox", "nowhere"]),
        ("missing config", ["--config", "no.toml"]),
    ],
    "deploy": [
        ("no work pool", ["--inbox", "inbox"]),
        ("missing inbox", ["--work-pool", "p", "--inbox", "nowhere"]),
    ],
}


def one_run(tree: Path, argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(cpu s, wall s, exit code) of one whole `planwatch` process."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PLANWATCH_CONFIG", None)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "cli.main", *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, wall, child.returncode


def median_run(tree: Path, argv: list[str], cwd: Path, runs: int) -> tuple[float, float, int]:
    one_run(tree, argv, cwd)  # warm-up: the page cache and .pyc files
    done = [one_run(tree, argv, cwd) for _ in range(runs)]
    cpu = statistics.median(d[0] for d in done)
    wall = statistics.median(d[1] for d in done)
    return cpu, wall, done[-1][2]


def cases() -> list[tuple[str, str, list[str]]]:
    out = []
    for command, errors in ERRORS.items():
        out.append((command, "--help", [command, "--help"]))
        out += [(command, label, [command, *args]) for label, args in errors]
    return out


def baseline_tree(rev: str, into: Path) -> Path:
    """The files of commit `rev`, extracted under `into` (the checkout is not touched)."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev],
        check=True,
        capture_output=True,
    ).stdout
    tree = into / f"tree-{rev[:10]}"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def place(folder: Path) -> Path:
    """The folder the cases run in: a plain file, an inbox and an empty workdir."""
    folder.mkdir()
    (folder / "a-file").write_text("a file\n", encoding="utf-8")
    (folder / "inbox").mkdir()
    (folder / "work").mkdir()
    return folder


def cell(figures: tuple[float, float, int] | None) -> str:
    if figures is None:
        return f"{'':>19}"
    cpu, wall, code = figures
    mark = "!" if cpu >= TARGET_S else " "
    return f"{cpu:6.3f}{mark} {wall:6.3f}  ({code:>2})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="counted runs per case")
    parser.add_argument("--baseline", help="a commit to run side by side (before)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        tmp_path = Path(tmp)
        before_tree = baseline_tree(args.baseline, tmp_path) if args.baseline else None
        print(f"planwatch start-up, whole processes: median of {args.runs} runs (+1 warm-up)")
        print(f"target: every answer < {TARGET_S} s; '!' marks a CPU median at or over it")
        head = f"{'command':<9} {'case':<22}"
        cols = ["after: cpu s  wall s (exit)"]
        if before_tree:
            cols.insert(0, f"before {args.baseline[:10]}: cpu  wall (exit)")
        print(head + "  " + "  ".join(f"{c:<28}" for c in cols))
        for i, (command, label, argv) in enumerate(cases()):
            cwd = place(tmp_path / f"case-{i}")
            after = median_run(ROOT, argv, cwd, args.runs)
            before = median_run(before_tree, argv, cwd, args.runs) if before_tree else None
            row = f"{command:<9} {label:<22}  "
            row += (cell(before) + "         " if before_tree else "") + cell(after)
            print(row, flush=True)


if __name__ == "__main__":
    main()
