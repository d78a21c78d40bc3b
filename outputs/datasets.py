"""Write the compliance and submission datasets: Parquet (raw values) and CSV (spreadsheet-safe).

CSV files end up opened in Excel or LibreOffice, so they follow OWASP's advice on CSV
injection: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
leading single quote, and every text cell is enclosed in double quotes (inner quotes
doubled). Parquet keeps the raw values for programs. Every file is written to a temporary
name in the same folder and renamed into place (`core.files.write_atomic`), so a reader
never sees half a file, with the permissions the umask asks for.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from core.escape import FORMULA_PREFIXES, for_csv
from core.files import write_atomic
from outputs.compliance import ComplianceResult

DANGEROUS_PREFIXES = FORMULA_PREFIXES  # kept for importers; the rule lives in core.escape
CSV_ENCODING = "utf-8-sig"  # with a BOM, so Excel shows Cyrillic text correctly
DATASETS = ("compliance", "submissions")


def csv_safe(value: object) -> object:
    """OWASP: a text cell that a spreadsheet could read as a formula gets a leading quote."""
    return for_csv(value) if isinstance(value, str) else value


def frame_to_csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns made inert; numbers, booleans and dates stay as they are."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_safe, na_action="ignore")
    return safe


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    safe = frame_to_csv_safe(frame)
    return write_atomic(
        path,
        lambda tmp: safe.to_csv(
            tmp,
            index=False,
            encoding=CSV_ENCODING,
            quoting=csv.QUOTE_NONNUMERIC,
            lineterminator="\n",
        ),
    )


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def write_datasets(result: ComplianceResult, out_dir: Path) -> list[Path]:
    """compliance.parquet/.csv and submissions.parquet/.csv under `out_dir`."""
    out_dir = Path(out_dir)
    written = []
    for name in DATASETS:
        frame = getattr(result, name)
        written.append(write_parquet(frame, out_dir / f"{name}.parquet"))
        written.append(write_csv(frame, out_dir / f"{name}.csv"))
    return written
