"""The spaCy side of agency matching: `spacy.blank("ky")` / `("ru")` with planwatch's word
tokenizer, a NORM component (word keys) and a PhraseMatcher over NORM built from the
registry's forms. The Russian pipeline also sets each word's LEMMA to the word key of its
dictionary lemma (pymorphy3, offline) and matches the forms over LEMMA too, so inflected
plurals and cases ("органам местного самоуправления", "Полномочных представительств")
find the nominative names without listing every form.

Both `resolve` (responsible cells) and `find_agencies` (running text) run this pipeline; each
entity's `kb_id_` is the registry code, its label `AGENCY` or `AGENCY?` (an uncertain form).
"""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from core.once import once
from normalizers.agency_registry import Registry, abbreviation_splits, word_key

_TOKEN = re.compile(r"\w+|[^\w\s]")
SURE, UNSURE = "AGENCY", "AGENCY?"


class WordTokenizer:
    """Words and single punctuation marks; offsets survive (single spaces are kept)."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = [], []
        for m in _TOKEN.finditer(text):
            words.append(m[0])
            spaces.append(m.end() < len(text) and text[m.end()] == " ")
        return Doc(self.vocab, words=words, spaces=spaces)


@Language.component("planwatch_agency_norm")
def agency_norm(doc: Doc) -> Doc:
    """Every token's NORM becomes its registry word key, so the matcher sees through case
    endings, look-alike letters and keyboard substitutions."""
    for token in doc:
        token.norm_ = word_key(token.text) if token.text[0].isalnum() else token.text
    return doc


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


@Language.component("planwatch_agency_lemma")
def agency_lemma(doc: Doc) -> Doc:
    """Russian only: every token's LEMMA becomes the word key of its dictionary lemma."""
    for token in doc:
        token.lemma_ = lemma_key(token.text)
    return doc


class AgencyRuler:
    """Marks registry bodies as entities: longest match wins, label tells certainty."""

    def __init__(self, nlp: Language, reg: Registry, lemmas: bool = False) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.lemma_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA") if lemmas else None
        patterns: dict[str, list[Doc]] = {}
        # Each spelling as printed (punctuation included: "БУУ-Аялдар", "(Омбудсмени)") ...
        for text, form in reg.spellings:
            patterns.setdefault(_match_id(form), []).append(nlp(text))
        printed = {k: list(v) for k, v in patterns.items()}
        # ... and as bare word keys, plus abbreviations with a stray space ("БУУ ӨП").
        for keys, form in reg.forms.items():
            for variant in (keys, *abbreviation_splits(keys)):
                patterns.setdefault(_match_id(form), []).append(_keys_doc(nlp, variant))
        for match_id, docs in patterns.items():
            self.matcher.add(match_id, docs)
        if self.lemma_matcher is not None:
            for match_id, docs in printed.items():
                self.lemma_matcher.add(match_id, docs)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        matches = list(self.matcher(doc))
        if self.lemma_matcher is not None:
            matches += self.lemma_matcher(doc)
        for match_id, start, end in matches:
            label, code = doc.vocab.strings[match_id].split("|", 1)
            spans.append(Span(doc, start, end, label=label, kb_id=code))
        doc.ents = filter_spans(spans)
        return doc


def _match_id(form) -> str:
    return f"{SURE if form.confident else UNSURE}|{form.code}"


def _keys_doc(nlp: Language, keys: tuple[str, ...]) -> Doc:
    doc = Doc(nlp.vocab, words=list(keys))
    for token, key in zip(doc, keys, strict=True):
        token.norm_ = key
    return doc


def build_pipeline(reg: Registry, lang: str):
    """A blank `lang` pipeline (word tokenizer -> planwatch_agency_norm, and for "ru"
    planwatch_agency_lemma) followed by the registry's AgencyRuler; call it like a
    Language: `doc = pipeline(text)`."""
    nlp = spacy.blank(lang)  # not the cached `nlp.blank`: this one gets a new tokenizer
    nlp.tokenizer = WordTokenizer(nlp.vocab)
    nlp.add_pipe("planwatch_agency_norm")
    if lang == "ru":
        nlp.add_pipe("planwatch_agency_lemma")
    ruler = AgencyRuler(nlp, reg, lemmas=lang == "ru")
    return lambda text: ruler(nlp(text))
