"""The Kyrgyz and Russian texts of one decree, checked against each other: `compare.csv`.

Both texts are read and normalized on their own (deadlines into dates, responsible bodies
into registry codes, each with its own abbreviation list); measures are paired by id, and
only what still differs after that is a finding:

- `only_in_ky` / `only_in_ru`: a measure one text has and the other lacks;
- `deadline_differs`: both deadlines parse, to different dates or recurrences;
- `responsible_differs` / `partners_differ`: the obligated bodies, or the bodies involved
  by agreement, resolve to different registry codes (bodies neither text resolves are left
  to the QA of each plan, not compared);
- `funding_differs`: the funding cells name different source categories
  (`data/plan_compare.yaml`).

Pure except `write_compare`. The two plans may come in either order: `by_language` tells
them apart by marker words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from core.model import Measure, Plan
from core.once import once
from core.vocab import load_vocab

COMPARE_COLUMNS = ("measure_id", "field", "ky", "ru", "finding")
COMPARE_FILE = "compare.csv"


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "not a mapping"
    for key in ("funding", "language"):
        block = data.get(key)
        if not isinstance(block, dict) or not all(
            isinstance(v, list) and v for v in block.values()
        ):
            return f"'{key}' must map names to non-empty lists of words"
    if set(data["language"]) != {"ky", "ru"}:
        return "'language' must have exactly 'ky' and 'ru'"
    return None


@once
def compare_vocab() -> dict[str, Any]:
    return load_vocab("outputs", "plan_compare.yaml", _validate)


@dataclass(frozen=True)
class Difference:
    measure_id: str
    field: str
    ky: str
    ru: str
    finding: str


def language_score(plan: Plan) -> int:
    """> 0: reads as Kyrgyz, < 0: as Russian (marker words in the short cells and title)."""
    words = compare_vocab()["language"]
    text = " ".join(
        [
            plan.title,
            *(f"{m.deadline_raw} {m.responsible_raw} {m.funding_raw}" for m in plan.measures),
        ]
    ).casefold()
    return sum(text.count(w) for w in words["ky"]) - sum(text.count(w) for w in words["ru"])


def by_language(first: Plan, second: Plan) -> tuple[Plan, Plan]:
    """(Kyrgyz, Russian): swapped when the first reads as more Russian than the second."""
    return (second, first) if language_score(first) < language_score(second) else (first, second)


def funding_sources(cell: str) -> frozenset[str]:
    text = cell.casefold()
    return frozenset(
        name for name, words in compare_vocab()["funding"].items() if any(w in text for w in words)
    )


def _codes(m: Measure, by_agreement: bool) -> frozenset[str]:
    return frozenset(
        a.code for a in m.agencies if a.code and (a.by_agreement if by_agreement else a.obligated)
    )


def _deadline_key(m: Measure) -> tuple | None:
    d = m.deadline
    if d is None or d.start is None or d.end is None:
        return None
    return (d.start, d.end, str(d.recurrence))


def measure_differences(ky: Measure, ru: Measure) -> Iterator[Difference]:
    """What differs between the two texts of one measure, after normalization."""
    mid = ky.measure_id
    a, b = _deadline_key(ky), _deadline_key(ru)
    if a is not None and b is not None and a != b:
        yield Difference(mid, "deadline", ky.deadline_raw, ru.deadline_raw, "deadline_differs")
    for agreed, finding in ((False, "responsible_differs"), (True, "partners_differ")):
        if _codes(ky, agreed) != _codes(ru, agreed):
            yield Difference(mid, "responsible", ky.responsible_raw, ru.responsible_raw, finding)
    fa, fb = funding_sources(ky.funding_raw), funding_sources(ru.funding_raw)
    if fa and fb and fa != fb:
        yield Difference(mid, "funding", ky.funding_raw, ru.funding_raw, "funding_differs")


def compare_plans(ky: Plan, ru: Plan) -> list[Difference]:
    """Every difference between the normalized Kyrgyz and Russian plans, in measure order."""
    ky_by_id = {m.measure_id: m for m in ky.measures if m.measure_id}
    ru_by_id = {m.measure_id: m for m in ru.measures if m.measure_id}
    found: list[Difference] = []
    order = sorted(ky_by_id.keys() | ru_by_id.keys(), key=_sort_key)
    for mid in order:
        a, b = ky_by_id.get(mid), ru_by_id.get(mid)
        if a is None and b is not None:
            found.append(Difference(mid, "measure", "", b.text, "only_in_ru"))
        elif b is None and a is not None:
            found.append(Difference(mid, "measure", a.text, "", "only_in_ky"))
        elif a is not None and b is not None:
            found += measure_differences(a, b)
    return found


def _sort_key(measure_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in measure_id.split(".") if p.isdigit())


def write_compare(differences: list[Difference], out_dir: Path) -> Path:
    """`out_dir/compare.csv` (COMPARE_COLUMNS), written like every planwatch table."""
    import pandas as pd

    from outputs.datasets import write_csv

    frame = pd.DataFrame([astuple(d) for d in differences], columns=list(COMPARE_COLUMNS))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return write_csv(frame, Path(out_dir) / COMPARE_FILE)
