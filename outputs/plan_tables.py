"""The plan catalogue as tables: `measures.csv`/`.parquet`, `abbreviations.csv`, `qa.csv`.

`plan_to_frame` puts the contract columns first (MEASURE_COLUMNS, then `source`); more
columns come from *column functions* passed in — e.g. the normalizers' deadline and agency
columns — so this module never needs to know about them. Files are written atomically
(a temporary file renamed into place) and CSVs are spreadsheet-safe (see outputs.datasets).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.model import Measure, Plan
from outputs.datasets import write_csv, write_parquet

MEASURE_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "measure_id",
    "task_no",
    "goal_id",
    "chapter_no",
    "task_text",
    "text",
    "baseline",
    "indicator",
    "deadline_raw",
    "expected_result",
    "responsible_raw",
    "funding_raw",
)
SOURCE_COLUMN = "source"
ABBREVIATION_COLUMNS = ("abbr", "full_name")
QA_COLUMNS = ("code", "severity", "measure_id", "location", "message")
FILES = ("measures.csv", "measures.parquet", "abbreviations.csv", "qa.csv")

# A column function maps one measure to {extra column: value}; keys must be the same for all.
ColumnFunction = Callable[[Measure], Mapping[str, Any]]


def measure_to_record(measure: Measure) -> dict[str, Any]:
    record = {column: getattr(measure, column) for column in MEASURE_COLUMNS}
    record[SOURCE_COLUMN] = str(measure.provenance) if measure.provenance else ""
    return record


def plan_to_frame(plan: Plan, extra: Sequence[ColumnFunction] = ()) -> pd.DataFrame:
    """One row per measure, contract columns first, then `source`, then the extras in order."""
    records = []
    for measure in plan.measures:
        record = measure_to_record(measure)
        for column_function in extra:
            added = dict(column_function(measure))
            clash = set(added) & set(record)
            if clash:
                raise ValueError(f"extra columns would overwrite {sorted(clash)}")
            record.update(added)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=_columns(records))
    frame["task_no"] = frame["task_no"].astype("int64")
    frame["chapter_no"] = frame["chapter_no"].astype("Int64")
    return frame


def abbreviations_to_frame(plan: Plan) -> pd.DataFrame:
    rows = [(a.abbr, a.full_name) for a in plan.abbreviations]
    return pd.DataFrame(rows, columns=list(ABBREVIATION_COLUMNS))


def findings_to_frame(plan: Plan) -> pd.DataFrame:
    rows = [(f.code, str(f.severity), f.measure_id, f.location, f.message) for f in plan.findings]
    return pd.DataFrame(rows, columns=list(QA_COLUMNS))


def write_plan_tables(
    plan: Plan, out_dir: Path, extra: Sequence[ColumnFunction] = ()
) -> list[Path]:
    """Write the four plan files into `out_dir` (created if needed); returns their paths."""
    out_dir = Path(out_dir)
    measures = plan_to_frame(plan, extra)
    measures_csv, measures_parquet, abbreviations_csv, qa_csv = (out_dir / f for f in FILES)
    return [
        write_csv(measures, measures_csv),
        write_parquet(measures, measures_parquet),
        write_csv(abbreviations_to_frame(plan), abbreviations_csv),
        write_csv(findings_to_frame(plan), qa_csv),
    ]


def _columns(records: list[dict[str, Any]]) -> list[str]:
    base = [*MEASURE_COLUMNS, SOURCE_COLUMN]
    extra = [c for c in (records[0] if records else {}) if c not in base]
    return base + extra
