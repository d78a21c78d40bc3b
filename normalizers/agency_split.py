"""Split a responsible cell into bodies: separators, agreement markers, distributive plurals.

The pipeline (agency_pipeline) has already marked every registry body as an entity. This
module walks the tokens once, left to right:

* `,` `;` `.` and connector words ("жана", "и") end a piece; two entities with nothing between
  them are two bodies ("ЖӨБО ЮНИСЕФ"), a connector inside a registry name is part of it
  ("ЖӨБ жана этностор агенттиги");
* "(макулдашуу боюнча)" marks the body before it, "макулдашуу боюнча:" every body after it;
* "Бишкек, Ош жана Каракол шаарларынын мэриялары" expands to one body per city;
* words no entity covers are looked up whole, then fuzzy-matched, else returned unresolved;
  a short lower-case run right before a body is its qualifier ("пилоттук аймактардагы ЖӨБО").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.model import AgencyRef
from normalizers.agency_registry import Registry, fold, text_keys

if TYPE_CHECKING:
    from spacy.tokens import Doc

SEPARATORS = frozenset(",;.")
_WORD = re.compile(r"\w+")
_BREAK = re.compile(r"\s+|-\s+")  # what a page break leaves inside a word
MAX_QUALIFIER_WORDS = 3


@dataclass
class Item:
    start: int  # token range in the doc
    end: int
    code: str | None
    confident: bool
    score: float
    raw: str = ""
    agreed: bool = False


# --------------------------------------------------------------------------- page-break damage


def rejoin_splits(text: str, vocabulary: frozenset[str]) -> str:
    """Rejoin words a page break split ("Министрл иктер", "макулда- шуу") when the joined
    word is a registry/marker word and one of the halves is not."""
    words = list(_WORD.finditer(text))
    out, last = [], 0
    skip_until = -1
    for a, b in zip(words, words[1:], strict=False):
        if a.start() < skip_until:
            continue
        gap = text[a.end() : b.start()]
        if not _BREAK.fullmatch(gap) or not b[0][0].islower():
            continue
        joined = fold(a[0] + b[0])
        if joined in vocabulary and not (fold(a[0]) in vocabulary and fold(b[0]) in vocabulary):
            out.append(text[last : a.end()])
            last = b.start()
            skip_until = b.end()
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------------- markers


def _phrase_positions(norms: list[str], phrase: str) -> list[tuple[int, int]]:
    """Token ranges where `phrase`'s words occur consecutively (by word key)."""
    keys = text_keys(phrase)
    n = len(keys)
    return [
        (i, i + n)
        for i, key in enumerate(norms)
        if key == keys[0] and tuple(norms[i : i + n]) == keys
    ]


def marker_spans(doc: Doc, reg: Registry, norms: list[str]) -> dict[int, tuple[int, str]]:
    """start token -> (end token, "before" | "after"): which bodies an agreement marker marks."""
    found: dict[int, tuple[int, str]] = {}
    for phrase in reg.agreement_markers:
        for start, end in _phrase_positions(norms, phrase):
            if start > 0 and doc[start - 1].text == "(":
                start -= 1
                end = end + 1 if end < len(doc) and doc[end].text == ")" else end
                found[start] = (end, "before")
            elif end < len(doc) and doc[end].text == ":":
                found[start] = (end + 1, "after")
            else:
                words_after = any(t.text[0].isalnum() for t in doc[end:])
                found[start] = (end, "after" if words_after else "before")
    return found


def distributive_items(
    doc: Doc, reg: Registry, norms: list[str]
) -> dict[int, tuple[int, list[Item]]]:
    """start token -> (end token, one item per city) for "Бишкек жана Ош шаарларынын мэриялары"."""
    found: dict[int, tuple[int, list[Item]]] = {}
    for rule in reg.distributive:
        for p_start, p_end in _phrase_positions(norms, rule["plural"]):
            step = -1 if rule["names"] == "before" else 1
            i = p_start - 1 if step < 0 else p_end
            names: list[int] = []
            while 0 <= i < len(doc):
                tok = doc[i]
                if tok.text[0].isupper() and tok.text[0].isalpha():
                    names.append(i)
                elif not (tok.text in ",." or fold(tok.text) in ("жана", "и")):
                    break
                i += step
            if len(names) < 1:
                continue
            names.sort()
            plural = doc[p_start:p_end].text
            items = []
            for n in names:
                form = reg.lookup(rule["singular"].format(name=doc[n].text))
                if form is None and doc[n].lemma_:  # "мэры ... Оша": the lemma "Ош" (ru)
                    form = reg.lookup(rule["singular"].format(name=doc[n].lemma_))
                raw = f"{doc[n].text} {plural}" if step < 0 else f"{plural} {doc[n].text}"
                items.append(Item(n, n + 1, form.code if form else None, bool(form), 100.0, raw))
            lo, hi = min(names[0], p_start), max(names[-1] + 1, p_end)
            found[lo] = (hi, items)
    return found


# --------------------------------------------------------------------------- the walk


def _known_item(doc: Doc, start: int, end: int, reg: Registry) -> Item | None:
    text = doc[start:end].text
    form = reg.lookup(text)
    if form:
        return Item(start, end, form.code, form.confident, 100.0 if form.confident else 70.0)
    hit = reg.fuzzy(text)
    if hit:
        form, score = hit
        return Item(start, end, form.code, False, score)  # a guess is never confident
    return None


def _gap_items(doc: Doc, start: int, end: int, reg: Registry, connectors: set[str]) -> list[Item]:
    """Words no entity covers: the whole run if it names a body; else its parts between
    connectors if every part does ("X жана Y"); else one unresolved piece."""
    if not any(t.text[0].isalnum() for t in doc[start:end]):
        return []  # stray punctuation
    whole = _known_item(doc, start, end, reg)
    if whole:
        return [whole]
    cuts = [i for i in range(start, end) if fold(doc[i].text) in connectors]
    bounds = list(zip([start, *(c + 1 for c in cuts)], [*cuts, end], strict=True))
    parts = [_known_item(doc, a, b, reg) for a, b in bounds if a < b]
    if cuts and parts and all(parts):
        return parts
    return [Item(start, end, None, False, 0.0)]


def _is_qualifier(doc: Doc, start: int, end: int) -> bool:
    words = [t for t in doc[start:end] if t.text[0].isalnum()]
    return 0 < len(words) <= MAX_QUALIFIER_WORDS and all(t.text[0].islower() for t in words)


def doc_to_items(doc: Doc, reg: Registry) -> list[Item]:
    norms = [t.norm_ for t in doc]
    markers = marker_spans(doc, reg, norms)
    plurals = distributive_items(doc, reg, norms)
    ents = {e.start: e for e in doc.ents}
    connectors = {fold(c) for c in reg.connectors if " " not in c}
    country = {text_keys(p) for p in reg.country_phrases}
    items: list[Item] = []
    gap: int | None = None

    def flush(upto: int, before_entity: bool = False) -> bool:
        """Close the open gap; True if it became the qualifier of the next entity."""
        nonlocal gap
        start, gap = gap, None
        if start is None or start >= upto:
            return False
        if items and items[-1].end == start and text_keys(doc[start:upto].text) in country:
            items[-1].end = upto  # "Министерство образования и науки КР": the qualifier stays
            return False
        if (
            before_entity
            and (_is_qualifier(doc, start, upto) or text_keys(doc[start:upto].text) in country)
            and not reg.lookup(doc[start:upto].text)
        ):
            return True  # "пилоттук аймактардагы ЖӨБО", "КР Эмгек ... министрлиги"
        items.extend(_gap_items(doc, start, upto, reg, connectors))
        return False

    i = 0
    while i < len(doc):
        tok = doc[i]
        if i in markers:
            flush(i)
            end, which = markers[i]
            if which == "before" and items:
                items[-1].agreed = True
            i = end
        elif i in plurals:
            flush(i)
            end, new = plurals[i]
            items.extend(new)
            i = end
        elif i in ents and not _lone_group_word(doc, ents[i], reg, connectors):
            ent = ents[i]
            open_gap = gap
            qualifier_start = open_gap if flush(i, before_entity=True) else None
            items.append(
                Item(
                    ent.start if qualifier_start is None else qualifier_start,
                    ent.end,
                    ent.kb_id_,
                    ent.label_ == "AGENCY",
                    100.0 if ent.label_ == "AGENCY" else 70.0,
                )
            )
            i = ent.end
        elif tok.text in SEPARATORS or (gap is None and fold(tok.text) in connectors):
            flush(i)
            i += 1
        else:
            gap = i if gap is None else gap
            i += 1
    flush(len(doc))
    colon = _colon_start(markers)
    for item in items:
        item.raw = item.raw or doc[item.start : item.end].text
        item.agreed = item.agreed or item.start >= colon
    return items


def _lone_group_word(doc: Doc, ent, reg: Registry, connectors: set[str]) -> bool:
    """A one-word group ("Министерство", "министрлиги") next to other name words is part of
    some body's name ("Министерство культуры и спорта"), not the generic group."""
    if len(ent) > 1 or reg.kind(ent.kb_id_) != "group":
        return False

    def is_word(i: int) -> bool:
        return (
            0 <= i < len(doc) and doc[i].text[0].isalnum() and fold(doc[i].text) not in connectors
        )

    return is_word(ent.end) or is_word(ent.start - 1)


def _colon_start(markers: dict[int, tuple[int, str]]) -> int:
    afters = [end for end, which in markers.values() if which == "after"]
    return min(afters) if afters else 10**9


def items_to_refs(items: list[Item], reg: Registry) -> list[AgencyRef]:
    refs = []
    for item in items:
        kind = reg.kind(item.code) if item.code else None
        refs.append(
            AgencyRef(
                raw=item.raw,
                code=item.code,
                by_agreement=item.agreed,
                obligated=bool(item.code) and reg.is_obligated_kind(item.code) and not item.agreed,
                confident=item.confident,
                kind=kind,
                is_group=kind == "group",
                score=item.score,
            )
        )
    return refs
