"""Write the compliance and submission datasets: Parquet (raw values) and CSV (spreadsheet-safe).

CSV files end up opened in Excel or LibreOffice, so they follow OWASP's advice on CSV
injection: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
leading single quote, and every text cell is enclosed in double quotes (inner quotes
doubled). Parquet keeps the raw values for programs. Every file is written to a temporary
name in the same folder and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from outputs.compliance import ComplianceResult

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"  # with a BOM, so Excel shows Cyrillic text correctly
DATASETS = ("compliance", "submissions")


def csv_safe(value: object) -> object:
    """OWASP: a text cell that a spreadsheet could read as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def frame_to_csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns made inert; numbers, booleans and dates stay as they are."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_safe, na_action="ignore")
    return safe


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` on a temporary file next to `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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
