"""`planwatch plan` loads its heavy libraries where they are used, not when its modules load.

spaCy (with thinc, pydantic, numpy) and pandas/pyarrow cost seconds per process; the command
needs spaCy only once a decree is read and normalized, pandas only to write the tables. The
checks read `sys.modules` in a fresh interpreter (no timing: that is the bench's job).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
HEAVY = {
    "spacy",
    "thinc",
    "pydantic",
    "numpy",
    "pandas",
    "pyarrow",
    "pymorphy3",
    "cv2",
    "prefect",
    "sqlalchemy",
    "openpyxl",
}
# What `planwatch plan` imports before it reads the decree (cli.plan's own imports and the
# modules read_plan/command import), and the normalizers whose functions it calls later.
PLAN_MODULES = (
    "cli.main",
    "cli.plan",
    "cli.progress",
    "extractors.decree",
    "extractors.ocr_pages",
    "normalizers.plan_normalize",
    "normalizers.agencies",
    "normalizers.agency_pipeline",
    "normalizers.deadlines",
)


def loaded_after(code: str, cwd: Path = ROOT) -> set[str]:
    """Top-level package names in sys.modules after running `code` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_plan_modules_import_nothing_heavy():
    loaded = loaded_after("\n".join(f"import {m}" for m in PLAN_MODULES))
    assert not HEAVY & loaded, sorted(HEAVY & loaded)


def test_plan_on_a_file_that_is_no_plan_loads_nothing_heavy(tmp_path: Path):
    """The whole start-up path: arguments, sniffing, the one-line error (exit 2)."""
    not_a_plan = tmp_path / "note.txt"
    not_a_plan.write_text("Бул документте план жок.\n", encoding="utf-8")
    code = (
        "import sys\nfrom cli.main import main\n"
        f"sys.argv = ['planwatch', 'plan', {str(not_a_plan)!r}, '--out', {str(tmp_path / 'o')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 2, exc.code\n"
    )
    loaded = loaded_after(code)
    assert not HEAVY & loaded, sorted(HEAVY & loaded)
