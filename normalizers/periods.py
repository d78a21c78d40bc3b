"""A report's period and a letter's date, in the forms people type (Kyrgyz and Russian).

The deadline grammar (normalizers.deadlines) already reads years, half-years and dates; this
module extends it with `data/period_grammar.yaml` — abbreviations ("1пол", "II пол.",
"1-ж.ж."), a half-year whose year stands elsewhere ("I полугодие … 2019 год") and two-digit
years in letter dates ("от 06.07.20 г.") — and answers two questions:

* `parse_period(text)`: the half-year (or else the single year) a title or file name names;
* `parse_report_date(text, plan_years)`: the first full date in a letter head or stamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Span
from spacy.util import filter_spans

from core.model import Period
from core.once import once
from core.vocab import load_vocab
from normalizers.deadlines import (
    GRAMMAR_FILE,
    YEAR_MAX,
    YEAR_MIN,
    Grammar,
    Unit,
    _span_to_unit,
    _validate,
    text_to_words,
    words_to_doc,
)
from normalizers.nlp import blank

PERIOD_FILE = "period_grammar.yaml"
NEW_LABELS = ("HALF_BARE", "HALF_MONTHS", "DATE_SHORT")  # units only this module reads
HALF_MONTHS = {(1, 6): 1, (7, 12): 2}  # first and last month -> half-year
CENTURIES = (1900, 2000)
PlanYears = tuple[int, int] | None


def _validate_extension(data: Any) -> str | None:
    if not isinstance(data, dict):
        return "top level must be a mapping"
    for key in ("lexicon", "roman", "units", "two_digit_years"):
        if not isinstance(data.get(key), dict):
            return f"missing mapping {key!r}"
    if not all(isinstance(words, list) for words in data["lexicon"].values()):
        return "every lexicon class must list words"
    if not all(isinstance(v, int) and 1 <= v <= 4 for v in data["roman"].values()):
        return "roman values must be 1-4"
    for label, patterns in data["units"].items():
        if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
            return f"unit {label!r} must be a list of token patterns"
    margin = data["two_digit_years"].get("margin")
    if not isinstance(margin, int) or not 0 <= margin <= 20:
        return "two_digit_years.margin must be an integer 0-20"
    return None


@dataclass(frozen=True)
class PeriodGrammar:
    grammar: Grammar
    margin: int  # plan years ± margin: the window a two-digit year must fall in


@once
def period_grammar() -> PeriodGrammar:
    """The deadline grammar plus the report forms, compiled into one Matcher (built once)."""
    base = load_vocab("normalizers", GRAMMAR_FILE, _validate)
    extra = load_vocab("normalizers", PERIOD_FILE, _validate_extension)
    lexicon = {str(w).lower(): cls for cls, words in base["lexicon"].items() for w in words}
    lexicon |= {str(w).lower(): cls for cls, words in extra["lexicon"].items() for w in words}
    stems = sorted(((s, c, int(v)) for s, c, v in base["stems"]), key=lambda s: -len(s[0]))
    roman = {**base["roman"], **extra["roman"]}
    matcher = Matcher(blank("ky").vocab, validate=True)
    for label in dict.fromkeys([*base["units"], *extra["units"]]):
        matcher.add(label, [*base["units"].get(label, []), *extra["units"].get(label, [])])
    g = Grammar(lexicon, stems, roman, int(base["max_ending"]), matcher)
    return PeriodGrammar(g, int(extra["two_digit_years"]["margin"]))


# --------------------------------------------------------------------------- units


def _units(text: str, plan_years: PlanYears = None) -> list[Unit]:
    """Units in reading order; the new labels carry their own values (see _new_unit)."""
    pg = period_grammar()
    doc, values = words_to_doc(text_to_words(text, pg.grammar), pg.grammar)
    spans = [Span(doc, s, e, label=m) for m, s, e in pg.grammar.matcher(doc)]
    units = []
    for span in sorted(filter_spans(spans), key=lambda s: s.start):
        if span.label_ in NEW_LABELS:
            unit = _new_unit(span, values, _window(plan_years, pg.margin))
        else:
            unit = _span_to_unit(span, values, plan_years)
        if unit:
            units.append(unit)
    return units


def _new_unit(span: Span, values: list[int | None], window: tuple[int, int]) -> Unit | None:
    if span.label_ == "HALF_MONTHS":
        return _months_unit(span, values)
    numbers = [
        v for t, v in zip(span, values[span.start : span.end], strict=True) if t.norm_ != "DOT"
    ]
    numbers = [v for v in numbers if v is not None]
    if span.label_ == "HALF_BARE":  # the half in `start.month` (1 or 7), the year unknown
        half = numbers[-1] if numbers else None
        if half not in (1, 2):
            return None
        month = 1 if half == 1 else 7
        return Unit("HALF_BARE", date(1, month, 1), None, span.start, span.end)
    day, month, short = numbers
    year = century_of(short, window)
    if year is None:
        return None
    try:
        when = date(year, month, day)
    except ValueError:
        return None
    return Unit("DATE", when, when, span.start, span.end)


def _months_unit(span: Span, values: list[int | None]) -> Unit | None:
    """ "январь-июнь 2020" is the first half-year; other month ranges are no period."""
    tokens = list(zip(span, values[span.start : span.end], strict=True))
    months = tuple(v for t, v in tokens if t.norm_ == "MONTH")
    year = next(v for t, v in tokens if t.norm_ == "YEAR_NUM")
    half = HALF_MONTHS.get(months)
    if half is None:
        return None
    period = Period(year, half)
    return Unit("HALF", period.start, period.end, span.start, span.end)


def _window(plan_years: PlanYears, margin: int) -> tuple[int, int]:
    if plan_years:
        return plan_years[0] - margin, plan_years[1] + margin
    return YEAR_MIN, YEAR_MAX


def century_of(two_digits: int, window: tuple[int, int]) -> int | None:
    """The one four-digit year ending in `two_digits` inside `window`; None if none or two."""
    fits = [c + two_digits for c in CENTURIES if window[0] <= c + two_digits <= window[1]]
    return fits[0] if len(fits) == 1 else None


# --------------------------------------------------------------------------- readers


def parse_period(text: str, plan_years: PlanYears = None) -> Period | None:
    """A report's period from its title or file name: a half-year, else a single year.

    A half-year named without its year ("I полугодие", "2-жарым") takes the one year the
    text names elsewhere; "1пол_2020" is the half-year, never the whole of 2020."""
    try:
        units = _units(text or "", plan_years)
    except Exception:  # a parser bug must not stop a nightly run: no period read
        return None
    half = next((u for u in units if u.label == "HALF"), None)
    if half:
        return Period(half.start.year, 1 if half.start.month == 1 else 2)
    years = {u.start.year for u in units if u.label == "YEAR"}
    bare = {u.start.month for u in units if u.label == "HALF_BARE"}
    if len(years) != 1:
        return None
    year = years.pop()
    if len(bare) == 1:
        return Period(year, 1 if bare.pop() == 1 else 2)
    return Period(year)


def parse_report_date(text: str, plan_years: PlanYears = None) -> date | None:
    """The first full date (day, month, year) in a letter head or registration stamp.

    A two-digit year ("06.07.20 г.") is read only when one century puts it within the plan's
    years ± the grammar's margin (without plan years: within 1991-2099)."""
    try:
        units = _units(text or "", plan_years)
    except Exception:
        return None
    return next((u.start for u in units if u.label == "DATE"), None)
