"""Join the lines of one wrapped cell back into its text: the line-end hyphen rules.

A PDF, a scan or a box-drawing print wraps a cell's text over several lines. Joining them
with a space is right almost everywhere, but wrong in two places:

* after a hyphen attached to a word: a typesetter breaks `үй-бүлөлүк` as `үй-` / `бүлөлүк`
  and `2018-2020-жылдар` as `2018-2020-` / `жылдар`; when the next line goes on with a
  letter or digit, the lines join with no space and the hyphen kept. A free-standing dash
  (`текст -`, a line that is only `-`) is punctuation and keeps its spaces. A soft hyphen
  (U+00AD) at a line end is only a break mark: it goes and the word joins.
* a word too long for a narrow column, which LibreOffice breaks with no hyphen at all
  (`Экотехинспекци` / `я`). Nothing on the page marks it, so the document decides: rejoin
  when the joined word occurs elsewhere in the same document and the line-end fragment
  occurs nowhere except at line ends (`Vocabulary`, built by the reader over all cells).

Shared by every reader that sees wrapped cell lines (PDF, OCR, box-drawing text, `<br>` in
markdown/HTML cells). Pure functions only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

HYPHENS = "-\u2010\u2011\u2013"  # hyphen-minus, hyphen, non-breaking hyphen, en dash
SOFT_HYPHEN = "\u00ad"
_ATTACHED_END = re.compile(rf"[^\W_][{HYPHENS}]$")  # `үй-`, `2020-`: attached to a word
_WORD_START = re.compile(r"^[^\W_]")
# a hyphen attached to the word before it, the space after it if any, the word after it
_HYPHEN_PAIR = re.compile(rf"([^\W_]+)[{HYPHENS}]( ?)(?=([^\W_]+))")
_TAIL = re.compile(rf"([^\W_]+)[{HYPHENS}]$")
_HEAD = re.compile(r"^[^\W_]+")
_CLOSERS = ",.;:!?)]}»\"'…"  # never start a line a typesetter broke at a space (UAX #14)
_EDGE_PUNCT = "\"'«»“”„()[]{}.,;:!?…/"
_WS = re.compile(r"\s+")
_ANY_HYPHEN = re.compile(f"[{HYPHENS}]")
# Longest ending that rejoins on its own evidence: Kyrgyz case endings (`н`, `дын`, `нун`),
# `ция`; a longer piece (`бюджетте`) is a word a narrow column happens to start lines with.
MAX_PIECE = 5


def ends_with_attached_hyphen(line: str) -> bool:
    return bool(_ATTACHED_END.search(line.rstrip()))


def _token(word: str) -> str:
    """A word as the vocabulary counts it: outer punctuation off, case folded."""
    return word.strip(_EDGE_PUNCT).casefold()


@dataclass
class Vocabulary:
    """Word counts of one document, and how often each word ended a wrapped line.

    `seen[w] - broken[w]` is how often `w` occurs whole inside a line or at a cell's end,
    i.e. anywhere but where a no-hyphen break could have cut it.
    """

    seen: Counter[str] = field(default_factory=Counter)
    broken: Counter[str] = field(default_factory=Counter)  # last word of a wrapped line
    heads: Counter[str] = field(default_factory=Counter)  # first word of a following line
    # (word before, word after) a line-end hyphen: the breaks `written_apart` must decide
    hyphen_breaks: Counter[tuple[str, str]] = field(default_factory=Counter)
    # how word pairs are written inside lines, counted on the first question (`_pairs`):
    # the lines that have a hyphen, and the words of every line of two or more
    _hyphened: list[str] = field(default_factory=list, repr=False)
    _tokens: list[list[str]] = field(default_factory=list, repr=False)
    _counted: tuple[Counter[tuple[str, str, bool]], Counter[tuple[str, str]]] | None = field(
        default=None, repr=False
    )

    @classmethod
    def from_cells(cls, cells: Iterable[Sequence[str]]) -> Vocabulary:
        """Count the words of every cell, each cell given as its list of lines."""
        vocab = cls()
        for lines in cells:
            vocab.add(lines)
        return vocab

    def add(self, lines: Sequence[str], full: Sequence[bool] | None = None) -> None:
        """Count one cell's words. `full` (a reader that measured its lines): only the
        breaks after a full line can cut a word, so only their two sides are in doubt."""
        self._counted = None
        for i, line in enumerate(lines):
            words = line.split()
            tokens = [t for w in words if (t := _token(w))]
            self.seen.update(tokens)
            if len(tokens) > 1:
                self._tokens.append(tokens)
            if _ANY_HYPHEN.search(line):
                self._hyphened.append(line)
            if words and i < len(lines) - 1 and (full is None or full[i]):
                self.broken[_token(words[-1])] += 1
            if words and i > 0 and (full is None or full[i - 1]):
                self.heads[_token(words[0])] += 1
            if words and i > 0:
                self._hyphen_break(lines[i - 1], words[0])

    def _hyphen_break(self, before: str, head: str) -> None:
        before = before.rstrip()
        tail = _TAIL.search(before) if before[-1:] in HYPHENS else None
        if tail and (word := _HEAD.match(head)):
            self.hyphen_breaks[tail[1].casefold(), word[0].casefold()] += 1

    def occurs(self, word: str) -> bool:
        return self.seen[_token(word)] > 0

    def mostly_piece(self, word: str) -> bool:
        """Is `word` seen more often on a break's side than anywhere else? A piece such as
        `н` or `ция` is; a real word that narrow columns often put at a line start is not."""
        key = _token(word)
        pieces = self.broken[key] + self.heads[key]
        return pieces > self.seen[key] - pieces

    def written_apart(self, left: str, right: str, hyphen: bool = False) -> bool:
        """Is the pair written with a space between more often than without, where it stands
        inside one line? `hyphen`: the words around a hyphen (`2018-` and `2020`: `2018- 2020`
        against `2018-2020`) more often than the two other sightings together, joined inside a
        line or broken at a line end, undecided (a form that one column happens to print
        whole is no style of the document); else two words inside lines (`бала лар`) against the one word
        anywhere (`балалар`: a narrow column may never print it whole)."""
        around, apart = self._pairs()
        a, b = _token(left), _token(right)
        if hyphen:  # the spaced form must be most of the pair's sightings, breaks included
            return around[a, b, True] > around[a, b, False] + self.hyphen_breaks[a, b]
        return apart[a, b] > self.seen[a + b]

    def _pairs(self) -> tuple[Counter[tuple[str, str, bool]], Counter[tuple[str, str]]]:
        """Word pairs around a hyphen, (left, right, spaced) → count (`үй-бүлө`, `2018- 2020`),
        and neighbouring words, (left, right) → count, each inside one printed line."""
        if self._counted is None:
            around: Counter[tuple[str, str, bool]] = Counter()
            for line in self._hyphened:
                pairs = _HYPHEN_PAIR.finditer(line)
                around.update((m[1].casefold(), m[3].casefold(), bool(m[2])) for m in pairs)
            apart: Counter[tuple[str, str]] = Counter()
            for tokens in self._tokens:
                apart.update(zip(tokens, tokens[1:], strict=False))
            self._counted = around, apart
        return self._counted

    def occurs_whole(self, word: str) -> bool:
        """Does `word` occur somewhere no line break touches (mid-line, or a cell's first or
        last word)? Only there is it surely a word and not a piece of one."""
        key = _token(word)
        return self.seen[key] - self.broken[key] - self.heads[key] > 0


def join_two(
    left: str,
    right: str,
    vocabulary: Vocabulary | None = None,
    full: bool = False,
    *,
    pieces: bool = True,
) -> str:
    """Join two consecutive lines of one cell (see the module docstring for the rules).
    `vocabulary`: the document's words, its evidence for both breaks: a hyphen pair written
    with a space inside lines (`2018- 2020`) keeps it, and a no-hyphen break rejoins on it
    (not with `pieces` False: a reader that knows no word was cut there).
    `full`: the reader measured that `left`'s line is a single word filling its line to the
    cell's edge, leaving no room for the next character (a typesetter's mid-word break)."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left or right
    if left.endswith(SOFT_HYPHEN):
        return left[:-1] + right
    starts_word = bool(_WORD_START.match(right))
    if starts_word and (tail := _TAIL.search(left)):
        apart = vocabulary is not None and vocabulary.written_apart(
            tail[1], _HEAD.match(right)[0], hyphen=True
        )
        return f"{left} {right}" if apart else left + right
    if full and _closes(right):
        return left + right
    if not pieces or vocabulary is None or not starts_word:
        return f"{left} {right}"
    if _rejoins(left, right, vocabulary) or (full and _cut_word(left, right, vocabulary)):
        return left + right
    return f"{left} {right}"


def _closes(right: str) -> bool:
    """Does `right` start with punctuation only (`,`, `),`, `"`)? No line a typesetter broke
    at a space starts so: after a line filled by one word it is the rest of that word."""
    head = right.split(maxsplit=1)[0]
    return all(ch in _CLOSERS for ch in head)


def _cut_word(left: str, right: str, vocabulary: Vocabulary) -> bool:
    """A line measured full whose word goes on in lower case on the next line: rejoined
    when the joined word occurs in the document, or the piece on the next line is short
    and occurs mostly right after full lines (`н`, `ция`, `ын`: a word's ending) — unless
    the document writes the two apart elsewhere."""
    tail, head = left.split()[-1], right.split()[0].strip(_EDGE_PUNCT)
    if not tail[-1:].isalpha() or not head[:1].isalpha() or not head[0].islower():
        return False
    if vocabulary.written_apart(tail, head):
        return False
    if vocabulary.occurs(tail + head):
        return True
    return len(head) <= MAX_PIECE and vocabulary.mostly_piece(head)


def _rejoins(left: str, right: str, vocabulary: Vocabulary) -> bool:
    """A no-hyphen break: `Экотехинспекци` + `я` when `Экотехинспекция` is a word of the
    document, `Экотехинспекци` appears only at line ends and the two are not written apart
    elsewhere."""
    tail, head = left.split()[-1], right.split()[0]
    if not tail[-1:].isalpha() or not head[:1].isalpha():
        return False
    joined = tail + head
    return (
        vocabulary.occurs(joined)
        and not vocabulary.occurs_whole(tail)
        and not vocabulary.written_apart(tail, head)
    )


def join_lines(
    lines: Iterable[str],
    vocabulary: Vocabulary | None = None,
    full: Sequence[bool] | None = None,
    spaced: Sequence[bool | None] | None = None,
) -> str:
    """A cell's lines → its text: line-end breaks undone, whitespace collapsed. `full[i]`:
    line i was measured to fill its line (see `join_two`). `spaced[i]`: what the source had
    where line i broke, when the reader saw it (a PDF producer that writes the space a line
    broke at): True a space, False nothing (a break inside a word), None unknown (the rules)."""
    text, previous, last = "", "", 0
    for i, raw in enumerate(lines):
        line = _WS.sub(" ", raw).strip()
        if not line:
            continue
        known = spaced[last] if spaced is not None and text else None
        if known is not None:
            text = f"{text} {line}" if known else text.removesuffix(SOFT_HYPHEN) + line
        elif text:
            cut = full is not None and full[last] and " " not in previous
            text = join_two(text, line, vocabulary, cut)
        else:
            text = line
        previous, last = line, i
    return text


def join_wrapped(lines: Iterable[str]) -> str:
    """The cell's lines joined with one space, except after a line-end attached hyphen
    followed by a line starting with a letter or digit (then no space). No document
    evidence: `join_lines` with a `Vocabulary` also rejoins no-hyphen breaks."""
    return join_lines(lines)


def split_lines(text: str) -> list[str]:
    """A cell's raw text (newline-separated, as pdfplumber and OCR give it) → its lines."""
    return [line for line in text.splitlines() if line.strip()]
