"""Read one agency report (a neutral Document) into a ReportReading: who reported, for which
period, when, and what they say about which measure.

Decisions that cannot be made safely are not guessed: the reading goes to `needs_review`
(agency in the content and in the file name disagree, two candidate agencies, entries that
cannot be linked, measure numbers not in the plan) or is `rejected` (no agency, no period,
no entries) — always with a reason a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache, partial
from pathlib import PurePath

from core.model import AgencyRef, Document, Entry, LinkMethod, Outcome, Period, Plan, ReportReading
from core.once import once
from normalizers.addressee import sender_lines, without_addressee
from normalizers.measure_links import LinkSettings, link_by_text
from normalizers.measure_refs import ref_at_start, ref_in_text, strip_ref
from normalizers.ocr_review import flag_low_confidence
from normalizers.report_columns import is_addressee, is_executor_line
from normalizers.report_layout import Layout, RawEntry, document_to_layout
from normalizers.statuses import entry_status

HEAD_LINES = 6  # letter head, number/date, addressee, title
TAIL_LINES = 4  # signature block
TEMPLATE_KIND = "report-template"  # planwatch.template value written by outputs.report_template
META = "planwatch."
_KY_LETTERS = re.compile(r"[өүңӨҮҢ]")
_CYRILLIC_WORD = re.compile(r"\b[а-яёөүң]{3,}\b", re.I)
_REJECT = "\x00"  # marks a problem that rejects the file (stripped from the reason)
KY_WORD_SHARE = 0.05  # more Kyrgyz-letter words than this: the report is (also) Kyrgyz


@dataclass(frozen=True)
class ReadingSettings:
    link: LinkSettings = field(default_factory=LinkSettings)
    head_lines: int = HEAD_LINES
    tail_lines: int = TAIL_LINES

    def __post_init__(self) -> None:
        if self.head_lines < 1 or self.tail_lines < 1:
            raise ValueError("head_lines and tail_lines must be at least 1")


@dataclass(frozen=True)
class LanguageTools:
    """The normalizers' language functions, injectable so each rule can be tested alone."""

    find_agencies: Callable[[str], list[AgencyRef]]
    resolve: Callable[[str], list[AgencyRef]]
    parse_period: Callable[[str], Period | None]
    parse_report_date: Callable[[str], date | None]


@once
def default_tools(plan_years: tuple[int, int] | None = None) -> LanguageTools:
    """The normalizers' functions; letter dates with two-digit years read against `plan_years`."""
    from normalizers.agencies import find_agencies, resolve
    from normalizers.periods import parse_period, parse_report_date

    return LanguageTools(
        find_agencies, resolve, parse_period, partial(parse_report_date, plan_years=plan_years)
    )


@once
def dated_tools(plan_years: tuple[int, int] | None, on: date) -> LanguageTools:
    """`default_tools` whose agency names are those valid on `on` (the letter's date): a
    2024 letter's "Министерство труда и социального развития" is read as that year knew it."""
    from normalizers.agencies import find_agencies, resolve

    tools = default_tools(plan_years)
    return replace(
        tools, find_agencies=partial(find_agencies, on=on), resolve=partial(resolve, on=on)
    )


def _memoized(tools: LanguageTools) -> LanguageTools:
    """The same functions, each remembering its answers for one report (lines are re-read)."""
    functions = (tools.find_agencies, tools.resolve, tools.parse_period, tools.parse_report_date)
    return LanguageTools(*(lru_cache(maxsize=None)(f) for f in functions))


def read_report(
    doc: Document,
    plan: Plan | None,
    file_name: str,
    settings: ReadingSettings | None = None,
    *,
    tools: LanguageTools | None = None,
) -> ReportReading:
    settings = settings or ReadingSettings()
    years = plan.years if plan else None
    layout = document_to_layout(doc)
    given = tools
    tools = _memoized(tools or default_tools(years))
    letter_date = report_date_of(layout, tools)
    if given is None and letter_date is not None:  # agency names as of the letter's date
        dated = dated_tools(years, letter_date)
        memo = lru_cache(maxsize=None)
        tools = replace(tools, find_agencies=memo(dated.find_agencies), resolve=memo(dated.resolve))
    template = doc.metadata.get(META + "template") == TEMPLATE_KIND
    stem = _file_words(file_name)
    agency, agency_candidates, agency_problem = decide_agency(
        layout, doc, stem, tools, settings, template
    )
    period, period_problem = decide_period(
        layout, doc, _file_period_words(file_name), tools, template
    )
    entries = tuple(_entry(raw, plan, agency, template, settings) for raw in layout.entries)
    problems = [p for p in (agency_problem, period_problem) if p]
    rejected = [p for p in problems if p.startswith(_REJECT)]
    if not entries:
        rejected.append(_REJECT + "no report table or numbered entries found")
    review = [p for p in problems if not p.startswith(_REJECT)] + _entry_problems(entries)
    entries, ocr_doubts = flag_low_confidence(entries, doc)  # scans: OCR doubt → review
    review += ocr_doubts
    if rejected:
        outcome, reasons = Outcome.REJECTED, rejected + review
    elif review:
        outcome, reasons = Outcome.NEEDS_REVIEW, review
    else:
        outcome, reasons = Outcome.ACCEPTED, []
    return ReportReading(
        outcome=outcome,
        reason="; ".join(r.removeprefix(_REJECT) for r in reasons),
        agency=agency,
        agency_candidates=agency_candidates,
        period=period,
        report_date=letter_date,
        entries=entries,
        language=language_of(doc),
    )


# --------------------------------------------------------------------------- agency


def decide_agency(
    layout: Layout,
    doc: Document,
    file_words: str,
    tools: LanguageTools,
    settings: ReadingSettings,
    template: bool = False,
) -> tuple[str | None, tuple[str, ...], str]:
    """(code, every candidate code, problem). Content names the agency in ranked zones —
    explicit "Аткаруучу:" lines and a template's marker, then letter head and signature,
    then the other lines; the best zone with codes speaks. The file name must agree."""
    from_file = _codes(tools.find_agencies(file_words)) or _codes(
        [r for word in file_words.split() for r in tools.resolve(word)]
    )
    seen: list[str] = []
    content: list[str] = []
    for codes in _agency_zones(layout, doc, tools, settings, template):  # lazily: best zone first
        seen += codes
        if codes:
            content = codes
            break
    candidates = tuple(dict.fromkeys(seen + from_file))
    if content and from_file:
        common = [c for c in content if c in from_file]
        if len(common) == 1:
            return common[0], candidates, ""
        if not common:
            return (
                None,
                candidates,
                (
                    f"agency in the content ({', '.join(content)}) and in the file name "
                    f"({', '.join(from_file)}) disagree"
                ),
            )
        return (
            None,
            candidates,
            f"several candidate agencies ({', '.join(common)}) and no way to decide",
        )
    found = content or from_file
    if len(found) == 1:
        return found[0], candidates, ""
    if found:
        where = "content" if content else "file name"
        return (
            None,
            candidates,
            f"several candidate agencies in the {where} ({', '.join(found)}) and no way to decide",
        )
    return None, candidates, _REJECT + "no known agency named in the content or the file name"


def _agency_zones(layout, doc, tools, settings, template) -> Iterator[list[str]]:
    """Codes per zone, best zone first; each zone is only searched if the better ones were empty."""
    # The addressee is never the sender: request/reply lines go, dative names are cut out.
    lines = sender_lines(line for line in layout.lines if not is_addressee(line))
    executor = [line for line in lines if is_executor_line(line)]
    zone = _codes([r for line in executor for r in tools.resolve(_after_label(line))])
    if template and doc.metadata.get(META + "agency"):
        zone = [doc.metadata[META + "agency"], *zone]
    yield list(dict.fromkeys(zone))
    found: dict[str, list[str]] = {}

    def codes_in(zone_lines: list[str]) -> list[str]:
        for line in zone_lines:
            if line not in found:
                found[line] = _codes(tools.find_agencies(line))
        return list(dict.fromkeys(c for line in zone_lines for c in found[line]))

    yield codes_in(lines[: settings.head_lines] + lines[-settings.tail_lines :])
    yield codes_in(lines)


def _after_label(line: str) -> str:
    return re.split(r"[:\-]", line, maxsplit=1)[-1].strip()


def _codes(refs: Sequence[AgencyRef]) -> list[str]:
    return list(dict.fromkeys(r.code for r in refs if r.code and r.confident and not r.is_group))


def _file_words(file_name: str) -> str:
    return re.sub(r"[_.\-+]+", " ", PurePath(file_name).stem).strip()


# --------------------------------------------------------------------------- period and date


def decide_period(
    layout: Layout, doc: Document, file_words: str, tools: LanguageTools, template: bool = False
) -> tuple[Period | None, str]:
    content = _content_period(layout, doc, tools, template)
    from_file = tools.parse_period(file_words)
    if content and from_file and content != from_file:
        return (
            None,
            f"period in the content ({content}) and in the file name ({from_file}) disagree",
        )
    period = content or from_file
    if period is None:
        return None, _REJECT + "no reporting period found in the content or the file name"
    return period, ""


def _content_period(
    layout: Layout, doc: Document, tools: LanguageTools, template: bool
) -> Period | None:
    if template and doc.metadata.get(META + "period"):
        try:
            return Period.parse(doc.metadata[META + "period"])
        except ValueError:
            pass
    # Lines carrying a letter date ("2020-жылдын 3-июлу № 01-12/345") name no year as a
    # period; only a half-year named beside a date counts ("за 1 полугодие 2020 года по
    # состоянию на 01.07.2020").
    lines = [line for line in layout.lines if not is_addressee(line) and without_addressee(line)]
    undated = [line for line in lines if tools.parse_report_date(line) is None]
    dated = [line for line in lines if line not in undated]
    # A title broken over lines (PDF) can leave "полугодие 2019 г." alone on a line, which
    # reads as the whole year: neighbouring lines are read together too, and a half-year
    # found anywhere wins over a bare year.
    singles = [p for p in map(tools.parse_period, undated) if p]
    if half := next((p for p in [*singles, *map(tools.parse_period, dated)] if p and p.half), None):
        return half
    pairs = (f"{a} {b}" for a, b in zip(undated, undated[1:], strict=False))
    halves = (p for p in map(tools.parse_period, pairs) if p and p.half)
    return next(halves, singles[0] if singles else None)


def _file_period_words(file_name: str) -> str:
    """'БИМ_2019_2' / 'БИМ 2019 1' -> 'БИМ 2019-2': the compact form the period grammar reads."""
    words = re.sub(r"[_+]+", " ", PurePath(file_name).stem)
    return re.sub(r"(\d{4})\s*[-\s]\s*(H?[12])\b", r"\1-\2", words, flags=re.I)


def report_date_of(layout: Layout, tools: LanguageTools) -> date | None:
    """The letter's or registration stamp's date: lines with a number sign first."""
    numbered = [line for line in layout.lines if "№" in line]
    for line in [*numbered, *layout.lines]:
        if found := tools.parse_report_date(line):
            return found
    return None


# --------------------------------------------------------------------------- entries


def _entry(raw: RawEntry, plan: Plan | None, agency: str | None, template: bool, settings) -> Entry:
    status = entry_status(raw.status, raw.progress, raw.remarks)
    progress = raw.progress if raw.ref or raw.measure else strip_ref(raw.progress)
    progress = progress or raw.remarks  # a table with remarks but no progress column
    base = {
        "status": status.value,
        "progress_text": progress,
        "location": raw.location,
        "indicator_value": raw.indicator_value,
    }
    ref = _ref_of(raw)
    if ref:
        method = LinkMethod.TEMPLATE if template else LinkMethod.REFERENCE
        if plan is not None and plan.measure(ref) is None:
            return Entry(
                ref,
                link_method=method,
                confidence=0.0,
                review_reason=f"measure {ref} is not in the plan",
                **base,
            )
        return Entry(ref, link_method=method, confidence=1.0, **base)
    if plan is None:
        return Entry(
            None, review_reason="no measure number (no plan to match the text against)", **base
        )
    text = raw.measure if len(raw.measure.split()) >= settings.link.min_text_words else raw.progress
    link = link_by_text(text, plan, agency, settings.link)
    if link.measure_id:
        return Entry(
            link.measure_id,
            link_method=LinkMethod.FUZZY,
            confidence=round(link.score / 100, 3),
            **base,
        )
    return Entry(None, confidence=0.0, review_reason=link.reason, **base)  # score is in the reason


def _ref_of(raw: RawEntry) -> str | None:
    """The measure number of a row: its number cell, then the measure cell's opening (read
    past an ordinal: "1.1. Мероприятие № 15.2"), then marked references in the text."""
    return (
        ref_at_start(raw.ref)
        or ref_at_start(raw.measure)
        or ref_in_text(raw.measure)
        or (ref_at_start(raw.progress) if not raw.measure else None)
        or ref_in_text(raw.progress)
    )


def _entry_problems(entries: tuple[Entry, ...]) -> list[str]:
    unknown = [e.measure_id for e in entries if e.measure_id and e.review_reason]
    unlinked = [e for e in entries if e.measure_id is None]
    problems = []
    if unknown:
        problems.append(f"measure numbers not in the plan: {', '.join(unknown)}")
    if unlinked:
        where = ", ".join(e.location for e in unlinked[:3]) + (" …" if len(unlinked) > 3 else "")
        problems.append(
            f"{len(unlinked)} entr{'y' if len(unlinked) == 1 else 'ies'} not linked to a measure ({where})"
        )
    return problems


# --------------------------------------------------------------------------- language


def language_of(doc: Document) -> str | None:
    """'ky' when a noticeable share of words use Kyrgyz-only letters, 'ru' for other Cyrillic."""
    text = doc.text + " " + " ".join(" ".join(r) for t in doc.tables for r in t.rows)
    words = _CYRILLIC_WORD.findall(text)
    if not words:
        return None
    ky = sum(1 for w in words if _KY_LETTERS.search(w))
    return "ky" if ky >= max(2, KY_WORD_SHARE * len(words)) else "ru"
