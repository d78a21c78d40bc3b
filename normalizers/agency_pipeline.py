"""The spaCy side of agency matching: `spacy.blank("ky")` / `("ru")` with planwatch's word
tokenizer, a NORM component (word keys) and a PhraseMatcher over NORM built from the
registry's forms.

Both `resolve` (responsible cells) and `find_agencies` (running text) run this pipeline; each
entity's `kb_id_` is the registry code, its label `AGENCY` or `AGENCY?` (an uncertain form).
"""

from __future__ import annotations

import re

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

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


class AgencyRuler:
    """Marks registry bodies as entities: longest match wins, label tells certainty."""

    def __init__(self, nlp: Language, reg: Registry) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        patterns: dict[str, list[Doc]] = {}
        # Each spelling as printed (punctuation included: "БУУ-Аялдар", "(Омбудсмени)") ...
        for text, form in reg.spellings:
            patterns.setdefault(_match_id(form), []).append(nlp(text))
        # ... and as bare word keys, plus abbreviations with a stray space ("БУУ ӨП").
        for keys, form in reg.forms.items():
            for variant in (keys, *abbreviation_splits(keys)):
                patterns.setdefault(_match_id(form), []).append(_keys_doc(nlp, variant))
        for match_id, docs in patterns.items():
            self.matcher.add(match_id, docs)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match_id, start, end in self.matcher(doc):
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
    """A blank `lang` pipeline (word tokenizer -> planwatch_agency_norm) followed by the
    registry's AgencyRuler; call it like a Language: `doc = pipeline(text)`."""
    nlp = spacy.blank(lang)  # not the cached `nlp.blank`: this one gets a new tokenizer
    nlp.tokenizer = WordTokenizer(nlp.vocab)
    nlp.add_pipe("planwatch_agency_norm")
    ruler = AgencyRuler(nlp, reg)
    return lambda text: ruler(nlp(text))
