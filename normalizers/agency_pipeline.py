"""The spaCy side of agency matching: `spacy.blank("ky")` / `("ru")` with planwatch's word
tokenizer and a NORM component (word keys), then the registry's bodies marked as entities.
The Russian pipeline also sets each word's LEMMA to the word key of its dictionary lemma
(pymorphy3, offline) and matches the forms over LEMMA too, so inflected plurals and cases
("органам местного самоуправления", "Полномочных представительств") find the nominative
names without listing every form.

The matching is spaCy's PhraseMatcher semantics over plain tuples (`PhraseIndex`): each
registry spelling is tokenized and keyed once with the same functions the pipeline applies
to a text, so building the index costs milliseconds instead of one spaCy Doc per spelling
(~0.7 s for both languages). spaCy itself is imported with the first pipeline.

Both `resolve` (responsible cells) and `find_agencies` (running text) run this pipeline; each
entity's `kb_id_` is the registry code, its label `AGENCY` or `AGENCY?` (an uncertain form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from core.once import once
from normalizers.agency_registry import Registry, abbreviation_splits, word_key

if TYPE_CHECKING:  # spaCy loads with the first pipeline, not with this module
    from spacy.tokens import Doc

_TOKEN = re.compile(r"\w+|[^\w\s]")
SURE, UNSURE = "AGENCY", "AGENCY?"
Match = tuple[str, int, int]  # (match id "LABEL|code", start token, end token)


def tokens(text: str) -> list[tuple[str, bool]]:
    """Words and single punctuation marks, each with whether a single space follows it."""
    return [(m[0], m.end() < len(text) and text[m.end()] == " ") for m in _TOKEN.finditer(text)]


def norm_key(token: str) -> str:
    """A token's NORM: its registry word key (punctuation stays as it is)."""
    return word_key(token) if token[0].isalnum() else token


@once
def morph_analyzer():
    """pymorphy3's Russian analyzer, loaded on first use (~0.5 s, dictionaries offline)."""
    import pymorphy3  # only the Russian pipeline needs it

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1 << 16)
def lemma_key(word: str) -> str:
    """The word key of a Russian word's dictionary lemma ("органам" -> "орган"); words the
    dictionary does not know (Kyrgyz words, abbreviations) keep their plain word key."""
    if not word[:1].isalpha() or word.isupper():
        return word_key(word) if word[:1].isalnum() else word
    low = word.lower()
    morph = morph_analyzer()
    if not morph.word_is_known(low):
        return word_key(word)
    return word_key(morph.parse(low)[0].normal_form)


# --------------------------------------------------------------------------- matching


@dataclass
class PhraseIndex:
    """Key tuples -> match ids, matched like spaCy's PhraseMatcher: every occurrence, by
    start token, shorter before longer, ids of one span in the order they were added."""

    phrases: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    prefixes: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, match_id: str, keys: Sequence[str]) -> None:
        keys = tuple(keys)
        if not keys:
            return
        ids = self.phrases.setdefault(keys, [])
        if match_id not in ids:
            ids.append(match_id)
        self.prefixes.update(keys[:n] for n in range(1, len(keys)))

    def __call__(self, keys: Sequence[str]) -> list[Match]:
        found: list[Match] = []
        for start in range(len(keys)):
            for end in range(start + 1, len(keys) + 1):
                span = tuple(keys[start:end])
                found += [(match_id, start, end) for match_id in self.phrases.get(span, ())]
                if span not in self.prefixes:
                    break
        return found


def _match_id(form) -> str:
    return f"{SURE if form.confident else UNSURE}|{form.code}"


def _printed_keys(text: str, key: Callable[[str], str]) -> list[str]:
    return [key(token) for token, _ in tokens(text)]


@once
def phrase_indexes(reg: Registry, lemmas: bool) -> tuple[PhraseIndex, PhraseIndex | None]:
    """The registry's NORM index (and, for Russian, its LEMMA index), built once."""
    norms, lemma_index = PhraseIndex(), PhraseIndex() if lemmas else None
    # Each spelling as printed (punctuation included: "БУУ-Аялдар", "(Омбудсмени)") ...
    for text, form in reg.spellings:
        norms.add(_match_id(form), _printed_keys(text, norm_key))
    # ... and as bare word keys, plus abbreviations with a stray space ("БУУ ӨП").
    for keys, form in reg.forms.items():
        for variant in (keys, *abbreviation_splits(keys)):
            norms.add(_match_id(form), variant)
    if lemma_index is not None:
        for text, form in reg.spellings:
            lemma_index.add(_match_id(form), _printed_keys(text, lemma_key))
    return norms, lemma_index


def best_spans(matches: Iterable[Match]) -> list[Match]:
    """spaCy's `filter_spans` on match tuples: longest first, then earliest (ties keep their
    order); a span touching a kept one is dropped; the kept ones in text order."""
    taken: set[int] = set()
    kept = []
    for match in sorted(matches, key=lambda m: (m[2] - m[1], -m[1]), reverse=True):
        _, start, end = match
        if start not in taken and end - 1 not in taken:
            kept.append(match)
            taken.update(range(start, end))
    return sorted(kept, key=lambda m: m[1])


# --------------------------------------------------------------------------- the pipeline


@once
def vocab():
    """The vocabulary this module's Docs are made in. A bare spaCy Vocab: the words, NORMs,
    LEMMAs and entities are all planwatch's own, so the language data `spacy.blank("ky")`
    and `("ru")` load (~0.35 s for both) would go unused."""
    from spacy.vocab import Vocab

    return Vocab()


def build_pipeline(reg: Registry, lang: str) -> Callable[[str], Doc]:
    """Words (`tokens`) -> a Doc with NORM = word keys (and, for "ru", LEMMA = lemma keys)
    -> the registry's bodies as entities, longest match first, the label telling certainty.
    Call it like a spaCy Language: `doc = pipeline(text)`."""
    from spacy.tokens import Doc, Span

    words_vocab = vocab()
    norms, lemmas = phrase_indexes(reg, lang == "ru")

    def pipeline(text: str) -> Doc:
        pairs = tokens(text)
        doc = Doc(words_vocab, words=[w for w, _ in pairs], spaces=[s for _, s in pairs])
        for token in doc:
            token.norm_ = norm_key(token.text)
        matches = norms([t.norm_ for t in doc])
        if lemmas is not None:
            for token in doc:
                token.lemma_ = lemma_key(token.text)
            matches += lemmas([t.lemma_ for t in doc])
        spans = []
        for match_id, start, end in best_spans(matches):
            label, code = match_id.split("|", 1)
            spans.append(Span(doc, start, end, label=label, kb_id=code))
        doc.ents = spans
        return doc

    return pipeline
