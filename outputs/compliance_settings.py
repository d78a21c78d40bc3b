"""Settings of the compliance rules: every constant named once, validated once.

The defaults are the rules of issue 5 (reports due on the 5th of the month after a
half-year ends, as the decree says). `ComplianceSettings.resolve` accepts None, a mapping
or an instance, so callers (CLI, Prefect flow) can pass whatever they hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigError
from core.model import Outcome, Period
from core.settings import resolve_settings

DUE_DAY = 5  # reports are due by the 5th ...
DUE_MONTHS_AFTER = 1  # ... of the month after the period ends
TIMEZONE = "Asia/Bishkek"  # "today" is the ministry's today
ANNUAL_CHECKPOINT = (12, 31)  # an annual measure is due by 31 December of each year
# Outcomes whose files count as received and whose entries count as reported.
COUNTED_OUTCOMES: tuple[str, ...] = (Outcome.ACCEPTED, Outcome.NEEDS_REVIEW)
INCLUDE_PARTNERS = True  # partner rows (obligated = false) follow the obligated ones
# Agency kinds that are not bodies at all (a convention named in the responsible cell).
NOT_BODIES: tuple[str, ...] = ("convention",)
# Entry review reasons and low-confidence deadlines also go to the Review sheet.
REVIEW_UNCERTAIN_DEADLINES = True
# The first half-year the ministry tracks ("2019-H1"); None: the plan's first half-year.
TRACK_FROM: str | None = None
COORDINATOR = "ЭСӨМ"  # the coordinating ministry: its own measures are shown apart


@dataclass(frozen=True)
class ComplianceSettings:
    due_day: int = DUE_DAY
    due_months_after: int = DUE_MONTHS_AFTER
    timezone: str = TIMEZONE
    annual_checkpoint: tuple[int, int] = ANNUAL_CHECKPOINT
    counted_outcomes: tuple[str, ...] = COUNTED_OUTCOMES
    include_partners: bool = INCLUDE_PARTNERS
    review_uncertain_deadlines: bool = REVIEW_UNCERTAIN_DEADLINES
    not_bodies: tuple[str, ...] = NOT_BODIES
    track_from: Period | None = TRACK_FROM  # a "2019-H1" string is parsed into a Period
    coordinator: str = COORDINATOR

    def __post_init__(self) -> None:
        if isinstance(self.track_from, str):
            object.__setattr__(self, "track_from", parse_half(self.track_from))
        if not (isinstance(self.coordinator, str) and self.coordinator.strip()):
            raise ConfigError(None, f"coordinator: an agency code, not {self.coordinator!r}")
        if not 1 <= self.due_day <= 28:
            # 28 so that every month has the day (no February surprises).
            raise ConfigError(None, f"due_day must be 1..28, not {self.due_day!r}")
        if not 0 <= self.due_months_after <= 12:
            raise ConfigError(
                None, f"due_months_after must be 0..12, not {self.due_months_after!r}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError(None, f"timezone: unknown zone {self.timezone!r}") from err
        month, day = self.annual_checkpoint
        if not (1 <= month <= 12 and 1 <= day <= 28 + 3 * (month != 2)):
            raise ConfigError(
                None, f"annual_checkpoint: not a month/day {self.annual_checkpoint!r}"
            )
        unknown = set(self.counted_outcomes) - {o.value for o in Outcome}
        if unknown or Outcome.REJECTED in self.counted_outcomes:
            raise ConfigError(
                None, f"counted_outcomes: not allowed {sorted(map(str, self.counted_outcomes))}"
            )

    @classmethod
    def resolve(cls, value: ComplianceSettings | Mapping[str, Any] | None) -> ComplianceSettings:
        return resolve_settings(cls, value, "compliance")


def parse_half(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError:
        period = None
    if period is None or period.half is None:
        raise ConfigError(None, f"track_from: a half-year such as 2019-H1, not {text!r}")
    return period
