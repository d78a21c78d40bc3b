"""The agency pipeline's phrase matching is spaCy's PhraseMatcher + filter_spans, over tuples.

`PhraseIndex` replaced one spaCy Doc per registry spelling (most of a pipeline's build
time); these properties hold it to the matcher it replaced on random patterns and texts.
"""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from normalizers.agencies import resolve
from normalizers.agency_pipeline import PhraseIndex, best_spans, build_pipeline
from normalizers.agency_registry import default_registry

WORDS = st.sampled_from(["a", "b", "c", "d", ",", "("])
PATTERNS = st.lists(
    st.tuples(st.sampled_from(["X", "Y", "Z"]), st.lists(WORDS, min_size=1, max_size=4)),
    max_size=8,
)
VOCAB = spacy.blank("xx").vocab


def spacy_matches(patterns, words) -> list[tuple[str, int, int]]:
    matcher = PhraseMatcher(VOCAB)
    for match_id, keys in patterns:
        matcher.add(match_id, [Doc(VOCAB, words=keys)])
    doc = Doc(VOCAB, words=words)
    return [(VOCAB.strings[m], s, e) for m, s, e in matcher(doc)]


@settings(max_examples=300, deadline=None)
@given(PATTERNS, st.lists(WORDS, max_size=12))
def test_phrase_index_finds_what_the_phrase_matcher_finds(patterns, words):
    index = PhraseIndex()
    for match_id, keys in patterns:
        index.add(match_id, keys)
    ours, theirs = index(words), spacy_matches(patterns, words)
    # Same matches, by start and then length; one span's ids come in spaCy's hash order.
    assert sorted(ours) == sorted(theirs)
    assert [(s, e) for _, s, e in ours] == [(s, e) for _, s, e in theirs]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 4), st.sampled_from("XYZ"))))
def test_best_spans_keeps_what_filter_spans_keeps(raw):
    doc = Doc(VOCAB, words=["w"] * 14)
    matches = [(label, start, start + n) for start, n, label in raw]
    spans = [Span(doc, s, e, label=label) for label, s, e in matches]
    assert best_spans(matches) == [(s.label_, s.start, s.end) for s in filter_spans(spans)]


def test_the_pipeline_marks_registry_bodies_as_entities():
    reg = default_registry()
    ky = build_pipeline(reg, "ky")("ЭСӨМ, пилоттук аймактардагы ЖӨБО жана БУУ ӨП")
    assert [(e.text, e.kb_id_, e.label_) for e in ky.ents] == [
        ("ЭСӨМ", "ЭСӨМ", "AGENCY"),
        ("ЖӨБО", "ЖӨБО", "AGENCY"),
        ("БУУ ӨП", "БУУӨП", "AGENCY"),
    ]
    # Russian: inflected forms found through their lemmas, printed spellings through NORM.
    ru = build_pipeline(reg, "ru")("органам местного самоуправления")
    assert [e.kb_id_ for e in ru.ents] == ["ЖӨБО"]
    assert [r.code for r in resolve("Органам местного самоуправления")] == ["ЖӨБО"]
