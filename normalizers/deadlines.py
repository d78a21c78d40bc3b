"""Deadline, report-period and letter-date parsing for Kyrgyz and Russian plan/report text.

One grammar (`data/deadline_grammar.yaml`) serves `parse_deadline` (a plan's "Ишке ашыруу
мөөнөтү" cell) and, extended by `data/period_grammar.yaml`, the report readers in
normalizers.periods (`parse_period`, `parse_report_date`, re-exported here). The pipeline
is a chain of small steps:

    text -> words (tokenised, page-break splits rejoined) -> spaCy Doc with NORM = word class
         -> Matcher units (YEAR, YEAR_RANGE, HALF, QUARTER, MONTH, DATE, ANNUAL, CONTINUOUS)
         -> units combined with the operator words between them (dash = range, comma = list,
            "чейин"/"до" = until) -> Deadline
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from core.model import Deadline, Period, Recurrence
from core.once import once
from core.vocab import load_vocab
from normalizers.nlp import blank, cyrillic

if TYPE_CHECKING:  # spaCy loads with the grammar's Matcher, not with this module
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span

GRAMMAR_FILE = "deadline_grammar.yaml"
YEAR_MIN, YEAR_MAX = 1991, 2099  # four-digit numbers outside this are not years

_WORDS = re.compile(r"\d+|[^\W\d_]+|\S")
_OPERATORS = {"DASH", "TO", "LIST", "SLASH", "UNTIL", "FROM", "WITHIN", "END_WORD", "FILLER"}
_OPERATORS |= {"DOT", "YEAR", "HALF_TAIL", "MONTH_WORD", "UNDERSCORE"}


# --------------------------------------------------------------------------- the grammar


@dataclass(frozen=True)
class Grammar:
    lexicon: dict[str, str]  # word -> class
    stems: list[tuple[str, str, int]]  # (prefix, class, value), longest prefix first
    roman: dict[str, int]
    max_ending: int
    matcher: Matcher = field(compare=False)


def _validate(data: object) -> str | None:
    if not isinstance(data, dict):
        return "top level must be a mapping"
    for key in ("lexicon", "stems", "roman", "units", "max_ending"):
        if key not in data:
            return f"missing section {key!r}"
    if not all(isinstance(v, list) for v in data["lexicon"].values()):
        return "every lexicon class must list words"
    for label, patterns in data["units"].items():
        if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
            return f"unit {label!r} must be a list of token patterns"
    return None


@once
def grammar() -> Grammar:
    """The loaded, validated deadline grammar with its compiled Matcher (built once)."""
    data = load_vocab("normalizers", GRAMMAR_FILE, _validate)
    lexicon = {str(w).lower(): cls for cls, words in data["lexicon"].items() for w in words}
    stems = sorted(((s, c, int(v)) for s, c, v in data["stems"]), key=lambda s: -len(s[0]))
    from spacy.matcher import Matcher

    matcher = Matcher(blank("ky").vocab, validate=True)
    for label, patterns in data["units"].items():
        matcher.add(label, patterns)
    return Grammar(lexicon, stems, data["roman"], int(data["max_ending"]), matcher)


# --------------------------------------------------------------------------- words and classes


def _classify(word: str, g: Grammar) -> tuple[str, int | None]:
    """A word's class (becomes its NORM) and numeric value, if it has one."""
    if word.isdigit():
        n = int(word)
        if len(word) == 4 and YEAR_MIN <= n <= YEAR_MAX:
            return "YEAR_NUM", n
        if len(word) == 3 and word.startswith("20"):
            return "YEAR_BAD", n
        return ("SMALL", n) if len(word) <= 2 else ("NUM", n)
    if word in g.roman:
        return "ROMAN", g.roman[word]
    if word in g.lexicon:
        return g.lexicon[word], None
    for prefix, cls, value in g.stems:
        if word.startswith(prefix) and len(word) - len(prefix) <= g.max_ending:
            return cls, value
    return "WORD", None


def _known(word: str, g: Grammar) -> bool:
    return _classify(word, g)[0] != "WORD"


def text_to_words(text: str, g: Grammar | None = None) -> list[str]:
    """Lower-cased words with page-break splits rejoined ("жылд ар" -> "жылдар")."""
    g = g or grammar()
    words = _WORDS.findall(cyrillic(text or "").lower())
    out: list[str] = []
    for word in words:
        prev = out[-1] if out else ""
        joined = prev + word
        split = prev.isalpha() and word.isalpha() and _known(joined, g)
        if split and not (_known(prev, g) and _known(word, g)):
            out[-1] = joined
            continue
        out.append(word)
    return out


def words_to_doc(words: list[str], g: Grammar | None = None) -> tuple[Doc, list[int | None]]:
    """A Doc whose token NORMs are the word classes, plus each token's numeric value."""
    g = g or grammar()
    from spacy.tokens import Doc

    doc = Doc(blank("ky").vocab, words=words)
    values: list[int | None] = []
    for token in doc:
        cls, value = _classify(token.text, g)
        token.norm_ = cls
        values.append(value)
    return doc, values


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    label: str
    start: date | None
    end: date | None
    first_token: int
    last_token: int  # exclusive
    repaired: bool = False  # a damaged year was read in (never confident)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _repair_year(n: int, plan_years: tuple[int, int] | None) -> int | None:
    """'201' in '201-2020' -> the first plan year it can be the start of."""
    if not plan_years:
        return None
    lo, hi = plan_years
    fits = [y for y in range(lo, hi + 1) if str(y).startswith(str(n))]
    return fits[0] if fits else None


def _span_to_unit(span: Span, values: list[int | None], plan_years) -> Unit | None:
    norms = [t.norm_ for t in span]
    vals = values[span.start : span.end]
    years, repaired = [], False
    for norm, value in zip(norms, vals, strict=True):
        if norm == "YEAR_NUM":
            years.append(value)
        elif norm == "YEAR_BAD":
            fixed = _repair_year(value, plan_years)
            if fixed is None:
                return None
            years.append(fixed)
            repaired = True
    small = [v for n, v in zip(norms, vals, strict=True) if n in ("SMALL", "ROMAN", "ORD")]
    month = next((v for n, v in zip(norms, vals, strict=True) if n == "MONTH"), None)
    label = span.label_
    start = end = None
    try:
        if label in ("ANNUAL", "CONTINUOUS"):
            pass
        elif label == "YEAR":
            start, end = date(years[0], 1, 1), date(years[0], 12, 31)
        elif label == "YEAR_RANGE":
            start, end = date(years[0], 1, 1), date(years[1], 12, 31)
        elif label == "HALF":
            half = 1 if "MONTH_WORD" in norms else small[-1]
            period = Period(years[0], half)
            start, end = period.start, period.end
        elif label == "QUARTER":
            q = small[-1]
            if not 1 <= q <= 4:
                return None
            start, end = date(years[0], 3 * q - 2, 1), _month_end(years[0], 3 * q)
        elif label == "MONTH":
            start, end = date(years[0], month, 1), _month_end(years[0], month)
        elif label == "DATE":
            day, month = (small[0], month) if month else (small[0], small[1])
            start = end = date(years[0], month, day)
    except (IndexError, ValueError):  # "31 февраля", "3-полугодие": not a date
        return None
    return Unit(label, start, end, span.start, span.end, repaired)


def text_to_units(text: str, plan_years: tuple[int, int] | None = None, g: Grammar | None = None):
    """(words, word classes, units found, token indexes no unit covers). `g`: another grammar
    built on this one (normalizers.periods extends it for report periods and letter dates)."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    g = g or grammar()
    words = text_to_words(text, g)
    doc, values = words_to_doc(words, g)
    spans = [Span(doc, s, e, label=m) for m, s, e in g.matcher(doc)]
    units = []
    for span in sorted(filter_spans(spans), key=lambda s: s.start):
        unit = _span_to_unit(span, values, plan_years)
        if unit:
            units.append(unit)
    covered = {i for u in units for i in range(u.first_token, u.last_token)}
    classes = [t.norm_ for t in doc]
    loose = [i for i in range(len(words)) if i not in covered and words[i]]
    return words, classes, units, loose


# --------------------------------------------------------------------------- deadlines


def _unknown(raw: str) -> Deadline:
    return Deadline(raw=raw, recurrence=Recurrence.UNKNOWN, confident=False)


def _segments(units: list[Unit], classes: list[str]) -> list[tuple[date, date]]:
    """Dated units grouped into segments: units joined by a dash (or по) form one range."""
    segments: list[tuple[date, date]] = []
    previous: Unit | None = None
    for unit in units:
        between = set(classes[previous.last_token : unit.first_token]) if previous else set()
        if previous and between & {"DASH", "TO"} and not between & {"LIST", "SLASH"}:
            segments[-1] = (min(segments[-1][0], unit.start), max(segments[-1][1], unit.end))
        else:
            segments.append((unit.start, unit.end))
        previous = unit
    return segments


def _plan_span(plan_years) -> tuple[date, date] | tuple[None, None]:
    return (date(plan_years[0], 1, 1), date(plan_years[1], 12, 31)) if plan_years else (None, None)


def parse_deadline(text: str, plan_years: tuple[int, int] | None = None) -> Deadline:
    """Read a deadline phrase; never raises. Unreadable text gives recurrence 'unknown'."""
    raw = text or ""
    try:
        return _parse_deadline(raw, plan_years)
    except Exception:  # a parser bug must not stop a nightly run: report it as unparsed
        return _unknown(raw)


def _parse_deadline(raw: str, plan_years) -> Deadline:
    words, classes, units, loose = text_to_units(raw, plan_years)
    labels = {u.label for u in units}
    dated = [u for u in units if u.start]
    leftovers = [words[i] for i in loose if classes[i] not in _OPERATORS]
    confident = not leftovers and not any(u.repaired for u in units)

    if "ANNUAL" in labels or "CONTINUOUS" in labels:
        if dated:
            start, end = min(u.start for u in dated), max(u.end for u in dated)
        else:
            start, end = _plan_span(plan_years)
        if start is None or end is None:
            return Deadline(raw, recurrence=_recurrence(labels), confident=False)
        if "ANNUAL" in labels:  # whole years: one checkpoint on 31 December of each
            start, end = date(start.year, 1, 1), date(end.year, 12, 31)
            checkpoints = [date(y, 12, 31) for y in range(start.year, end.year + 1)]
        else:
            checkpoints = [end]
        return Deadline(raw, start, end, _recurrence(labels), checkpoints, confident)

    if not dated:
        return _unknown(raw)
    if "UNTIL" in classes and "END_WORD" not in classes:
        dated = [_before_month(u) for u in dated]
    segments = _segments(dated, classes)
    start, end = min(s for s, _ in segments), max(e for _, e in segments)
    if "UNTIL" in classes:  # "до 1 июля 2019": due from the plan's start (or that year's)
        plan_start = _plan_span(plan_years)[0]
        start = (
            plan_start if plan_start and plan_start <= start else min(start, date(end.year, 1, 1))
        )
    if plan_years and (start.year < plan_years[0] or end.year > plan_years[1]):
        confident = False  # outside the plan's years: most likely a typo
    checkpoints = sorted({e for _, e in segments})
    return Deadline(raw, start, end, Recurrence.ONCE, checkpoints, confident)


def _before_month(unit: Unit) -> Unit:
    """ "до сентября 2020 года" is due before September: by 31 August ("до конца сентября"
    keeps the month's end; a day, year or quarter after "до" is due by its own end)."""
    if unit.label != "MONTH":
        return unit
    eve = unit.start - timedelta(days=1)
    return replace(unit, start=eve, end=eve)


def _recurrence(labels: set[str]) -> str:
    return Recurrence.ANNUAL if "ANNUAL" in labels else Recurrence.CONTINUOUS


# --------------------------------------------------------------------------- reports


def __getattr__(name: str):
    """`parse_period` and `parse_report_date` live in normalizers.periods (report language);
    importing them from here keeps working."""
    if name in ("parse_period", "parse_report_date"):
        from normalizers import periods

        return getattr(periods, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
