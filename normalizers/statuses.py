"""Read an entry's status (completed / in progress / not started / unclear) from its words.

The vocabulary is data (`data/status_words.yaml`), matched with spaCy's PhraseMatcher and
Matcher over a blank Kyrgyz tokenizer (the two languages share Cyrillic script and
punctuation rules, and reports mix them). Overlapping matches keep the longest, which is
what makes negation right: "аткарылган жок" is one not-started match, not "аткарылган".
"""

from __future__ import annotations

from typing import Any

from spacy.matcher import Matcher, PhraseMatcher
from spacy.util import filter_spans

from core.model import Status
from core.once import once
from core.vocab import load_vocab
from normalizers.nlp import blank, fold

TOKENIZER_LANG = "ky"
_STATUSES = {s.value for s in Status} - {Status.UNCLEAR.value}


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("statuses"), dict):
        return "missing 'statuses' mapping"
    unknown = set(data["statuses"]) - _STATUSES
    if unknown:
        return f"unknown statuses {sorted(unknown)}; allowed {sorted(_STATUSES)}"
    for status, entry in data["statuses"].items():
        if not isinstance(entry, dict) or not entry.get("phrases"):
            return f"status {status!r} needs a non-empty 'phrases' list"
    for rule in data.get("mixed", []):
        statuses, result = rule
        if not set(statuses) | {result} <= _STATUSES:
            return f"bad 'mixed' rule {rule!r}"
    return None


@once
def _vocab() -> dict[str, Any]:
    return load_vocab("normalizers", "status_words.yaml", _validate)


@once
def _matchers() -> tuple[PhraseMatcher, Matcher]:
    nlp = blank(TOKENIZER_LANG)
    phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
    tokens = Matcher(nlp.vocab)
    for status, entry in _vocab()["statuses"].items():
        phrases.add(status, [nlp.make_doc(fold(p)) for p in entry["phrases"]])
        patterns = [_fold_pattern(p) for p in entry.get("patterns") or []]
        if patterns:
            tokens.add(status, patterns)
    return phrases, tokens


def _fold_pattern(pattern: list[dict]) -> list[dict]:
    """Fold the literal strings of a token pattern the way text is folded."""

    def fold_value(value: Any) -> Any:
        if isinstance(value, str):
            return fold(value)
        if isinstance(value, dict):
            return {k: fold_value(v) for k, v in value.items()}
        return value

    return [{k: fold_value(v) for k, v in token.items()} for token in pattern]


def statuses_in(text: str) -> list[str]:
    """Every status named in `text`, in reading order (longest match per overlap)."""
    if not text or not text.strip():
        return []
    nlp = blank(TOKENIZER_LANG)
    doc = nlp.make_doc(fold(text))
    phrases, tokens = _matchers()
    matches = [*phrases(doc), *tokens(doc)]
    spans = [doc[s:e] for _, s, e in matches]
    labels = {(s, e): nlp.vocab.strings[m] for m, s, e in matches}
    return [
        labels[(span.start, span.end)]
        for span in sorted(filter_spans(spans), key=lambda s: s.start)
    ]


def status_of(text: str) -> Status:
    """The one status `text` states; UNCLEAR when it states none or contradicts itself."""
    found = set(statuses_in(text))
    if len(found) == 1:
        return Status(found.pop())
    for statuses, result in _vocab().get("mixed", []):
        if found == set(statuses):
            return Status(result)
    return Status.UNCLEAR


def entry_status(status_cell: str, progress_text: str, remarks: str = "") -> Status:
    """A status column wins; then a remarks column ("Примечание: выполнено частично"), which
    is where tables without a status column state it; then words in the progress text."""
    for text in (status_cell, remarks, progress_text):
        status = status_of(text)
        if status is not Status.UNCLEAR:
            return status
    return Status.UNCLEAR
