"""Agency registry API: resolve responsible cells, find bodies in running text.

    resolve("ЭСӨМ, ФМ, Бишкек шарынын мэриясы (макулдашуу боюнча)")
        -> [AgencyRef(code="ЭСӨМ", obligated=True, ...), AgencyRef(code="ФМ", ...),
            AgencyRef(code="Бишкек шаарынын мэриясы", by_agreement=True, obligated=False, ...)]
    find_agencies("Министерство образования и науки КР ... исх. № 12")  -> [AgencyRef("БИМ")]

The registry is `data/agencies.yaml` (see README "Normalizers"); a plan's own abbreviation list
is merged with `merge_abbreviations`, which returns a Registry to pass as `registry=`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from core.model import Abbreviation, AgencyRef
from core.once import once
from core.text import clean_cell
from normalizers.agency_pipeline import build_pipeline
from normalizers.agency_registry import Registry, default_registry, word_key
from normalizers.agency_split import doc_to_items, items_to_refs, rejoin_splits
from normalizers.agency_time import at_date

_KYRGYZ = re.compile(r"[өүңӨҮҢ]|\b(жана|боюнча|министрлиги)\b", re.I)
_FILE_PUNCT = re.compile(r"[_]+|\.(?=[A-Za-z]{2,4}$)")
_SHOUTING_MIN_WORDS = 3


def registry() -> Registry:
    """The built-in registry: `.agencies` (code -> Agency with kind, ky/ru names and
    abbreviations), `.codes`, `.kind(code)`, `.lookup(text)`."""
    return default_registry()


@once
def _merged(abbreviations: tuple[tuple[str, str], ...]) -> Registry:
    return default_registry().merged(Abbreviation(a, f) for a, f in abbreviations)


def merge_abbreviations(abbreviations: Iterable[Abbreviation]) -> Registry:
    """The built-in registry plus a plan's abbreviation list (cached per list). Pass the
    result as `registry=` to `resolve` / `find_agencies`."""
    return _merged(tuple((a.abbr, a.full_name) for a in abbreviations))


@once
def _pipeline(reg: Registry, lang: str):
    return build_pipeline(reg, lang)


def language(text: str) -> str:
    """'ky' if the text shows Kyrgyz letters or words, else 'ru'."""
    return "ky" if _KYRGYZ.search(text) else "ru"


def resolve(text: str, registry: Registry | None = None, on: date | None = None) -> list[AgencyRef]:
    """Split a responsible cell into bodies and resolve each against the registry, with
    the names valid `on` (a plan: its adoption; a report: its letter date, else received).
    Never drops text: a piece that names no known body comes back with code=None. A merged
    body (2021) is never confident and lists its `parts`; see agency_time.at_date."""
    reg = registry or default_registry()
    cleaned = rejoin_splits(clean_cell(text or ""), reg.vocabulary)
    if not cleaned:
        return []
    doc = _pipeline(reg, language(cleaned))(cleaned)
    return [at_date(r, on, reg) for r in items_to_refs(doc_to_items(doc, reg), reg)]


def find_agencies(
    text: str, registry: Registry | None = None, on: date | None = None
) -> list[AgencyRef]:
    """Bodies named anywhere in running text (a letter head, title, signature, file name),
    in order of first mention, one AgencyRef per code (as of `on`, as in `resolve`).
    Nothing found -> []."""
    reg = registry or default_registry()
    text = _FILE_PUNCT.sub(" ", text or "")
    cleaned = clean_cell(text)
    if not cleaned:
        return []
    nlp = _pipeline(reg, language(cleaned))
    found: dict[str, AgencyRef] = {}
    for variant in (cleaned, clean_cell(_unshout(text, reg))):
        for ent in nlp(variant).ents:
            code = ent.kb_id_
            if code in found or reg.kind(code) in ("group", "convention"):
                continue
            sure = ent.label_ == "AGENCY"
            ref = AgencyRef(
                raw=ent.text,
                code=code,
                obligated=reg.is_obligated_kind(code),
                confident=sure,
                kind=reg.kind(code),
                score=100.0 if sure else 70.0,
            )
            found[code] = at_date(ref, on, reg)
    return list({r.code: r for r in found.values()}.values())


def _unshout(text: str, reg: Registry) -> str:
    """Lines written in capitals ("МИНИСТЕРСТВО ОБРАЗОВАНИЯ И НАУКИ") in lower case, so their
    words match names; words that are registry abbreviations ("МОН") stay as they are."""
    abbreviations = _abbreviation_keys(reg)
    lines = []
    for line in text.splitlines() or [text]:
        words = re.findall(r"\w+", line)
        shouting = len(words) >= _SHOUTING_MIN_WORDS and not any(c.islower() for c in line)
        if shouting:
            line = re.sub(r"\w+", lambda m: _lower_unless(m[0], abbreviations), line)
        lines.append(line)
    return "\n".join(lines)


def _lower_unless(word: str, abbreviations: frozenset[str]) -> str:
    return word if word_key(word) in abbreviations else word.lower()


@once
def _abbreviation_keys(reg: Registry) -> frozenset[str]:
    return frozenset(k for keys in reg.forms for k in keys if len(keys) == 1 and k.isupper())
