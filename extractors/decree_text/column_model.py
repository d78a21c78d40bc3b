"""The per-column word model trained on the document's own start lines."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.decree_text.model import (
    ENDING_CAP,
    HEAD_WEIGHT,
)

_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=8192)
def tokens(text: str, heads: bool = True) -> tuple[str, ...]:
    """Words (digits folded to 0) plus first/last-word markers: a cell's head word — last in
    Kyrgyz ("... саны"), first in Russian ("Количество ...") — says most about its column."""
    words = _TOKEN.findall(re.sub(r"\d", "0", text.casefold()))
    if not words or not heads:
        return tuple(words)
    return (*words, *["^" + words[0], "$" + words[-1]] * HEAD_WEIGHT)


@dataclass
class ColumnModel:
    """Per-column word model with Witten-Bell smoothing against the document's background.

    A column with a small, repetitive vocabulary (deadlines, funding) gives an unseen word
    little probability; a wordy column (measures, results) gives it more — which is exactly
    what tells "жыйынында каралды" apart from a deadline.
    """

    counts: dict[int, Counter[str]] = field(default_factory=dict)
    background: Counter[str] = field(default_factory=Counter)
    totals: dict[int, int] = field(default_factory=dict)  # words per column
    total: int = 0  # words in all columns
    rows: int = 0  # start rows seen
    filled: Counter[int] = field(default_factory=Counter)  # start rows with text per column

    def typical_ending(self, position: int, text: str) -> float:
        """0 for a last word never seen ending this column's cells, growing (log, capped)
        with how many of them it ends: such a cell is likely complete."""
        words = tokens(text, heads=False)
        if not words:
            return 0.0
        ended = self.counts.get(position, Counter())["$" + words[-1]] / HEAD_WEIGHT
        return min(ENDING_CAP, math.log1p(2 * ended))

    def fill_prior(self, position: int, filled: bool) -> float:
        """log P(column has text / is empty) on a measure's first line, e.g. baselines are
        often empty, deadlines almost never."""
        hits = self.filled[position] if filled else self.rows - self.filled[position]
        return math.log((hits + 1) / (self.rows + 2))

    def add(self, position: int, text: str) -> None:
        words = tokens(text)
        self.counts.setdefault(position, Counter()).update(words)
        self.background.update(words)
        self.totals[position] = self.totals.get(position, 0) + len(words)
        self.total += len(words)

    def score(self, position: int, text: str, own: int | None = None, heads: bool = True) -> float:
        """Log-likelihood ratio of the fragment's words under the column vs the background.

        `own`: the position this very fragment was learnt at — left out, so a misplaced
        cell of a start line cannot vote for its own wrong column. `heads`: score the
        first/last-word markers (only meaningful for a whole cell, not a page-break piece).
        """
        words = tokens(text, heads)
        column = self.counts.get(position, Counter())
        mine = Counter(words) if own is not None else Counter()
        total = self.total - sum(mine.values())
        vocab = len(self.background) + 1
        n, types = self.totals.get(position, 0), len(column)
        in_column = mine if own == position else Counter()
        n -= sum(in_column.values())
        types -= sum(1 for w, k in in_column.items() if column[w] == k)
        if n <= 0:
            return 0.0
        result = 0.0
        for word in words:
            p_bg = (self.background[word] - mine[word] + 1) / (total + vocab)
            seen = (column[word] - in_column[word]) / (n + types)
            result += math.log((seen + types / (n + types) * p_bg) / p_bg)
        return result
