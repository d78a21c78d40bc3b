"""The addressee of a letter is never its sender: cut it out of the lines the sender is
looked for in.

A body named in the dative case ("to") is the recipient: "Министерству труда и социального
развития", "Кыргыз Республикасынын Эмгек жана социалдык өнүгүү министрлигине". The grammar
— head nouns, dative endings, labels — is data (`addressee_grammar` in
`data/report_headers.yaml`). Lines are read word by word, so an OCR line that runs the
sender's head and the addressee together ("Министерство образования … Министерству труда …")
keeps the sender and loses only the addressee.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.once import once
from normalizers.nlp import fold
from normalizers.report_columns import report_vocab

_WORD = re.compile(r"[\w-]+")  # "БИМ-ге" is one word
_ASIDE = re.compile(r"\s*\([^()]{1,40}\)")
MIN_FUZZY_STEM = 7  # shorter stems must match exactly ("служб", "фонд")


@dataclass(frozen=True)
class Grammar:
    heads: tuple[tuple[str, str], ...]  # (folded stem, "ru" | "ky"), longest first
    ru: frozenset[str]
    ru_line_start: frozenset[str]
    ky: frozenset[str]  # possessive + dative, every combination
    to_prepositions: frozenset[str]  # "в Министерство …"
    to_endings: frozenset[str]
    modifier: re.Pattern[str]  # a Russian adjective agreeing with an addressed head
    abbreviation: re.Pattern[str]  # "ЭСӨМге": a body's abbreviation in the Kyrgyz dative
    governed_by: tuple[str, ...]  # "Өкмөтүнө караштуу": the dative belongs to a name
    label: re.Pattern[str]
    stem_edits: int


@once
def grammar() -> Grammar:
    data = report_vocab()["addressee_grammar"]
    heads = [(fold(s), lang) for lang in ("ru", "ky") for s in data["heads"][lang]]
    dative = data["dative"]
    ky = {fold(p + d) for p in dative["ky_possessive"] for d in dative["ky"]}
    labels = "|".join(re.escape(w) for w in data["labels"])
    return Grammar(
        heads=tuple(sorted(heads, key=lambda h: -len(h[0]))),
        ru=frozenset(fold(e) for e in dative["ru"]),
        ru_line_start=frozenset(fold(e) for e in dative["ru_line_start"]),
        ky=frozenset(ky),
        to_prepositions=frozenset(fold(w) for w in data["to_prepositions"]),
        to_endings=frozenset(fold(e) for e in data["to_endings"]),
        modifier=re.compile("(?:" + "|".join(fold(e) for e in data["ru_modifier_endings"]) + ")$"),
        label=re.compile(rf"^\s*(?:{labels})\s*[:\-]\s*", re.I),
        abbreviation=re.compile(data["ky_abbreviation"]),
        governed_by=tuple(fold(w) for w in data["governed_by"]),
        stem_edits=int(data.get("ocr_stem_edits", 0)),
    )


def _stem_fits(word: str, stem: str, edits: int) -> bool:
    head = word[: len(stem)]
    if head == stem:
        return True
    if len(stem) < MIN_FUZZY_STEM or len(head) < len(stem) or not edits:
        return False
    return sum(a != b for a, b in zip(head, stem, strict=True)) <= edits


def head_case(
    word: str, first: bool, g: Grammar | None = None, after_to: bool = False
) -> tuple[str, bool] | None:
    """("ru" | "ky", addressed?) when `word` is a body's head noun; None otherwise. `first`:
    the word opens its line, where Russian "-е"/"-и" read as dative too; `after_to`: "в"/"во"
    stands before it, where the accusative ("в Министерство") says "to" as well."""
    g = g or grammar()
    if g.abbreviation.match(word):
        return "ky", True
    folded = fold(word)
    found: tuple[str, bool] | None = None
    for stem, lang in g.heads:
        if not _stem_fits(folded, stem, g.stem_edits):
            continue
        ending = folded[len(stem) :]
        if lang == "ru":
            dative = ending in g.ru or (first and ending in g.ru_line_start)
            dative = dative or (after_to and ending in g.to_endings)
        else:
            dative = ending in g.ky
        if dative:
            return lang, True
        found = found or (lang, False)
    return found


def addressee_spans(line: str) -> list[tuple[int, int]]:
    """Character spans of `line` that name the addressee."""
    g = grammar()
    if g.label.match(line):
        return [(0, len(line))]
    words = list(_WORD.finditer(line))
    folded = [fold(w[0]) for w in words]
    opens = _name_starts(folded, g)
    after_to = [o > 0 and folded[o - 1] in g.to_prepositions for o in opens]
    cases = [head_case(w[0], opens[i] == 0, g, after_to[i]) for i, w in enumerate(words)]
    spans = []
    for i, case in enumerate(cases):
        governed = i + 1 < len(words) and folded[i + 1].startswith(g.governed_by)
        if not case or not case[1] or governed:
            continue
        if case[0] == "ru":  # the head opens the name: up to the next non-addressed head
            nxt = next((j for j in range(i + 1, len(words)) if cases[j] and not cases[j][1]), None)
            start = words[opens[i] - 1 if after_to[i] else opens[i]].start()
            spans.append((start, words[nxt].start() if nxt is not None else len(line)))
        else:  # the head closes the name: from the previous head or abbreviation on
            prev = next(
                (j for j in range(i - 1, -1, -1) if cases[j] or _is_abbr(words[j][0])), None
            )
            spans.append(
                (words[prev].end() if prev is not None else 0, _after_aside(line, words[i]))
            )
    return spans


def _name_starts(folded: list[str], g: Grammar) -> list[int]:
    """Where each word's name would start: back over agreeing Russian adjectives
    ("Государственному агентству")."""
    opens = list(range(len(folded)))
    for i in range(len(folded)):
        while opens[i] > 0 and g.modifier.search(folded[opens[i] - 1]):
            opens[i] -= 1
    return opens


def _is_abbr(word: str) -> bool:
    return len(word) >= 2 and word.isalpha() and word.isupper()


def _after_aside(line: str, word: re.Match[str]) -> int:
    """The end of `word`, or of the bracketed aside right after it ("… министрлигине (ЭСӨМ)")."""
    aside = _ASIDE.match(line, word.end())
    return aside.end() if aside else word.end()


def without_addressee(line: str) -> str:
    """`line` with the addressee cut out (what is left may still name the sender)."""
    kept, last = [], 0
    for start, end in sorted(addressee_spans(line)):
        if start >= last:
            kept.append(line[last:start])
        last = max(last, end)
    kept.append(line[last:])
    return re.sub(r"\s+", " ", "".join(kept)).strip(" ,;:-–—")


def is_bare_label(line: str) -> bool:
    """ "Кому:" alone on its line: the addressee is on the next line."""
    m = grammar().label.match(line)
    return bool(m) and not line[m.end() :].strip()


def sender_lines(lines: Iterable[str]) -> list[str]:
    """The lines with every addressee cut out; a line after a bare "Кому:" is dropped."""
    out, after_label = [], False
    for line in lines:
        if after_label and line.strip():
            after_label = False
            continue
        after_label = after_label or is_bare_label(line)
        if kept := without_addressee(line):
            out.append(kept)
    return out
