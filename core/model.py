"""The one shared data model of planwatch.

Every stage takes and returns these types; nothing passes loose dicts between packages.
Plan-side types describe a decree's action plan; report-side types describe what agencies
sent. Everything is a plain frozen dataclass so values are cheap to compare in tests and
safe to share between threads (Prefect task runners).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# The nine columns of a decree's action-plan table, in canonical order.
PLAN_COLUMNS: tuple[str, ...] = (
    "task_no",
    "task_text",
    "text",
    "baseline",
    "indicator",
    "deadline",
    "expected_result",
    "responsible",
    "funding",
)


# --------------------------------------------------------------------------- provenance


@dataclass(frozen=True)
class Provenance:
    """Where a piece of text came from: 1-based lines of a text source or pages of a PDF."""

    source: str
    lines: tuple[int, ...] = ()
    pages: tuple[int, ...] = ()

    def merge(self, other: Provenance) -> Provenance:
        return Provenance(
            self.source or other.source,
            tuple(sorted(set(self.lines) | set(other.lines))),
            tuple(sorted(set(self.pages) | set(other.pages))),
        )

    def __str__(self) -> str:
        parts = [self.source]
        if self.pages:
            parts.append("p" + _span(self.pages))
        if self.lines:
            parts.append("L" + _span(self.lines))
        return ":".join(parts)


def _span(numbers: tuple[int, ...]) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"


# --------------------------------------------------------------------------- normalized values


class Recurrence(StrEnum):
    ONCE = "once"
    ANNUAL = "annual"
    CONTINUOUS = "continuous"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Deadline:
    """A deadline phrase read into dates. `checkpoints` are the dates by which something is due."""

    raw: str
    start: date | None = None
    end: date | None = None
    recurrence: str = Recurrence.UNKNOWN
    checkpoints: list[date] = field(default_factory=list)
    confident: bool = False


@dataclass(frozen=True)
class AgencyRef:
    """One body named in a responsible cell or a report, resolved against the agency registry."""

    raw: str
    code: str | None = None
    by_agreement: bool = False
    obligated: bool = False
    confident: bool = False
    kind: str | None = None
    is_group: bool = False  # a generic group ("министрликтер жана ведомстволор"), not one body
    score: float = 0.0  # match score 0-100 (100 = exact registry hit)
    parts: tuple[str, ...] = ()  # a merged body (2021): the codes merged into it


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Chapter:
    no: int
    title: str
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Goal:
    id: str  # "1.1"
    chapter_no: int
    title: str
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Task:
    no: int
    goal_id: str | None
    chapter_no: int | None
    text: str
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Measure:
    plan_id: str
    measure_id: str  # "1.1"
    task_no: int
    goal_id: str | None
    chapter_no: int | None
    task_text: str
    text: str
    baseline: str = ""
    indicator: str = ""
    deadline_raw: str = ""
    expected_result: str = ""
    responsible_raw: str = ""
    funding_raw: str = ""
    provenance: Provenance | None = None
    # Per-cell provenance, keyed by PLAN_COLUMNS name ("baseline", "deadline", ...).
    cells: Mapping[str, Provenance] = field(default_factory=dict, compare=False, hash=False)
    # Filled by the normalizers; None / () straight out of an extractor.
    deadline: Deadline | None = None
    agencies: tuple[AgencyRef, ...] = ()

    @property
    def sort_key(self) -> tuple[int, ...]:
        return measure_sort_key(self.measure_id)

    @property
    def obligated_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.agencies if a.obligated and a.code)


def measure_sort_key(measure_id: str) -> tuple[int, ...]:
    """'10.2' sorts after '9.3': numeric, part by part."""
    return tuple(int(p) for p in re.findall(r"\d+", measure_id))


@dataclass(frozen=True)
class Abbreviation:
    abbr: str
    full_name: str
    provenance: Provenance | None = None


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """A QA finding about a plan (or a report): never silently dropped, always located."""

    code: str  # machine-readable, e.g. "missing_responsible", "task_gap"
    message: str  # one human-readable sentence
    location: str  # str(Provenance) or "file:sheet!row"
    severity: str = Severity.WARNING
    measure_id: str | None = None


@dataclass(frozen=True)
class Plan:
    plan_id: str
    title: str
    source: str
    sha256: str
    years: tuple[int, int] | None
    chapters: tuple[Chapter, ...] = ()
    goals: tuple[Goal, ...] = ()
    tasks: tuple[Task, ...] = ()
    measures: tuple[Measure, ...] = ()
    abbreviations: tuple[Abbreviation, ...] = ()
    findings: tuple[Finding, ...] = ()

    def measure(self, measure_id: str) -> Measure | None:
        return next((m for m in self.measures if m.measure_id == measure_id), None)


# --------------------------------------------------------------------------- agency reports


class Status(StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    UNCLEAR = "unclear"


class Outcome(StrEnum):
    """What became of a file. `rejected` is a statement about the file; `failed` is
    planwatch's own fault (a reader crashed, the workdir failed) and the file is read again
    on the next run; `duplicate` only ever describes a sighting (same bytes, other name)."""

    ACCEPTED = "accepted"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class DateSource(StrEnum):
    CONTENT = "content"  # the letter's / registration stamp's date
    MTIME = "mtime"  # the file's modification time
    FIRST_SEEN = "first_seen"  # when the ledger first saw the file


class LinkMethod(StrEnum):
    REFERENCE = "reference"  # an explicit measure number in the entry
    TEMPLATE = "template"  # a planwatch template's id column
    FUZZY = "fuzzy"  # matched on the measure text
    NONE = "none"  # not linked: goes to review


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a half-year (`half` 1 or 2) or a whole year (`half` None)."""

    year: int
    half: int | None = None

    def __post_init__(self) -> None:
        if self.half not in (None, 1, 2):
            raise ValueError(f"half must be 1, 2 or None, not {self.half!r}")

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def halves(self) -> tuple[Period, ...]:
        """The half-years this period covers (an annual report covers both)."""
        if self.half is None:
            return (Period(self.year, 1), Period(self.year, 2))
        return (self,)

    def __str__(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year}-H{self.half}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse the canonical form written by str(): '2019-H1', '2019-H2' or '2019'."""
        m = re.fullmatch(r"\s*(\d{4})(?:-H([12]))?\s*", text)
        if not m:
            raise ValueError(f"not a period: {text!r} (expected e.g. 2019-H1 or 2019)")
        return cls(int(m[1]), int(m[2]) if m[2] else None)


@dataclass(frozen=True)
class Entry:
    """One line of a report: what an agency says it did on one measure."""

    measure_id: str | None
    status: str  # a Status value
    progress_text: str
    link_method: str = LinkMethod.NONE
    confidence: float = 0.0  # 0..1: how sure the link (and OCR, if any) is
    location: str = ""  # "sheet!row 5", "table 1 row 3", "page 2 para 4"
    indicator_value: str = ""
    review_reason: str = ""  # non-empty: a person must look at this entry


@dataclass(frozen=True)
class Report:
    """One file from the inbox, as the ledger records it."""

    file: str  # original file name
    sha256: str
    size: int
    first_seen: datetime
    outcome: str  # an Outcome value
    reason: str = ""  # human-readable; required for needs_review / rejected
    agency: str | None = None  # registry code
    period: Period | None = None
    received_date: date | None = None
    received_source: str | None = None  # a DateSource value
    entries: tuple[Entry, ...] = ()
    stored_path: str = ""  # archive/ or quarantine/ copy
    plan_id: str | None = None
    tries: int = 0  # failed reads of these bytes so far (outcome `failed` only)


@dataclass(frozen=True)
class Sighting:
    """One name under which the inbox showed some bytes (the audit keeps every one)."""

    sha256: str
    name: str  # display name (safe text even when the file system name was not UTF-8)
    size: int
    first_seen: datetime
    mtime: datetime | None = None
    raw_name: str = ""  # the undecodable name's bytes, escaped; empty for a UTF-8 name


@dataclass(frozen=True)
class RunRecord:
    """One recorded report run: its as-of date, headline counts and compliance rows."""

    run_id: int
    created_at: datetime
    as_of: date
    plan_ids: tuple[str, ...]
    counts: dict
    rows: tuple[dict, ...]


# --------------------------------------------------------------------------- neutral documents


@dataclass(frozen=True)
class Paragraph:
    text: str
    location: str  # "page 1", "para 12", "sheet Report!A3"
    confidence: float | None = None  # OCR confidence 0..1, None for a text layer


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    location: str  # "sheet Report", "table 2", "page 3"
    row_locations: tuple[str, ...] = ()  # one per row; "row 5"
    confidence: float | None = None
    # OCR confidence 0..1 per row (its least sure cell), parallel to rows; () for a text layer.
    row_confidence: tuple[float, ...] = ()


@dataclass(frozen=True)
class Document:
    """What a report reader returns: the file's running text and tables, format-free."""

    source: str
    paragraphs: tuple[Paragraph, ...] = ()
    tables: tuple[Table, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    ocr: bool = False

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass(frozen=True)
class ReportReading:
    """What the report normalizers read out of one Document, before the ledger adds file facts
    (sha256, size, first-seen time, mtime fallback for the date, archive path)."""

    outcome: str  # an Outcome value
    reason: str = ""
    agency: str | None = None
    agency_candidates: tuple[str, ...] = ()  # every code found, for the review reason
    period: Period | None = None
    report_date: date | None = None  # from the content only; None -> ledger falls back
    entries: tuple[Entry, ...] = ()
    language: str | None = None  # "ky", "ru" or None
