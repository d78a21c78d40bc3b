"""Link a report entry to a plan measure: by its number, or by its text (rapidfuzz).

An entry without a number quotes or paraphrases its measure. The text is scored against the
reporting agency's own measures first, then against the whole plan. A link needs a score of
at least `threshold` and a lead of `margin` over the runner-up with a different text; anything
less stays unlinked for a person to decide (see tests/test_report_reading.py for the scores
behind the defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

from core.model import Measure, Plan
from normalizers.nlp import fold

LINK_THRESHOLD = (
    75.0  # token_set_ratio: quoted or word-form-damaged measure text >= 86, unrelated <= 68
)
LINK_MARGIN = 5.0  # the best must beat the runner-up by this much, or it is a coin toss
MIN_TEXT_WORDS = 4  # fewer words ("Аткарылды", "Семинар өткөрүлдү") say nothing about which measure


@dataclass(frozen=True)
class LinkSettings:
    threshold: float = LINK_THRESHOLD
    margin: float = LINK_MARGIN
    min_text_words: int = MIN_TEXT_WORDS

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 100 or not 0 <= self.margin < 100 or self.min_text_words < 1:
            raise ValueError(
                "link threshold must be in (0, 100], margin in [0, 100), min_text_words >= 1"
            )


@dataclass(frozen=True)
class Link:
    measure_id: str | None
    score: float  # 0..100
    reason: str = ""  # why there is no link


@lru_cache(maxsize=8192)  # measure texts are keyed once per process, not once per entry
def _key(text: str) -> str:
    return utils.default_process(fold(text))


def agency_measures(plan: Plan, agency: str | None) -> tuple[Measure, ...]:
    """The measures `agency` must carry out: from `Measure.agencies` when the plan is
    normalized, else from a whole-word match of the code in the responsible text."""
    if not agency:
        return ()
    if any(m.agencies for m in plan.measures):
        return tuple(m for m in plan.measures if agency in m.obligated_codes)
    word = re.compile(rf"(?<!\w){re.escape(agency)}(?!\w)", re.I)
    return tuple(m for m in plan.measures if word.search(m.responsible_raw))


def link_by_text(
    text: str, plan: Plan, agency: str | None, settings: LinkSettings | None = None
) -> Link:
    settings = settings or LinkSettings()
    if len(_key(text).split()) < settings.min_text_words:
        return Link(None, 0.0, "no measure number and too little text to match a measure")
    key = _key(text)
    best = Link(None, 0.0, "")
    for pool in (agency_measures(plan, agency), plan.measures):
        if pool:
            best = _best_in(key, pool, settings)
            if best.measure_id:
                return best
    return best if best.reason else Link(None, 0.0, "the plan has no measures to match")


def _best_in(key: str, pool: tuple[Measure, ...], settings: LinkSettings) -> Link:
    choices = {i: _key(m.text) for i, m in enumerate(pool)}
    ranked = process.extract(key, choices, scorer=fuzz.token_set_ratio, limit=None)
    if not ranked:
        return Link(None, 0.0, "the plan has no measures to match")
    _, score, index = ranked[0]
    top = pool[index]
    if score < settings.threshold:
        return Link(
            None,
            score,
            f"no measure number; best text match {top.measure_id} scores {score:.0f} < {settings.threshold:.0f}",
        )
    rivals = [
        pool[i]
        for _, s, i in ranked[1:]
        if s > score - settings.margin and choices[i] != choices[index]
    ]
    twins = [pool[i].measure_id for _, s, i in ranked[1:] if choices[i] == choices[index]]
    if rivals or twins:
        others = ", ".join(sorted({*(m.measure_id for m in rivals), *twins}))
        return Link(
            None,
            score,
            f"no measure number; text matches {top.measure_id} and {others} about equally",
        )
    return Link(top.measure_id, score)
