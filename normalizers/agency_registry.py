"""The agency registry: `data/agencies.yaml` loaded, validated and indexed for matching.

A *form* is any spelling that names a body (code, names, abbreviations, aliases, and the
names with "Кыргыз Республикасынын" / "Кыргызской Республики" removed). Every form is reduced
to a tuple of word keys (`word_key`) so that case, Latin look-alikes, Kyrgyz keyboard letters,
case endings on abbreviations and inflected word endings do not matter. A plan's own
abbreviation list is merged in with `Registry.merged`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from core.errors import VocabularyError
from core.model import Abbreviation
from core.once import once
from core.text import collapse_ws
from core.vocab import SAFE_LOADER, data_path, load_vocab
from normalizers.nlp import cyrillic, fold
from normalizers.registry_check import check_registry, located

REGISTRY_FILE = "agencies.yaml"
STEM_CHARS = (
    6  # lower-case words compare on their first 6 letters: "министрлиги" = "министрлигинин"
)
# rapidfuzz ratio on folded names without their generic words (`fuzzy_ignore`). Justified in
# tests/test_agencies.py::test_fuzzy_threshold: true variants (typos, inflected endings) score
# >= 93, the closest different bodies ("культуры и спорта" vs "физкультуры и спорта") <= 91.
FUZZY_ACCEPT = 92.0  # at or above: the code is given, always with confident=False
FUZZY_SURE = 96.0  # merging a plan's abbreviation list: a full name this close is that body
FUZZY_MIN_CHARS = 8  # shorter queries (abbreviations, one generic word) are never fuzzy-matched

_ABBR = re.compile(r"^([A-ZА-ЯЁӨҮҢҺ]{2,})([a-zа-яёөүңһ]*)$")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Link:
    """One step in a body's history: `code` became (part of) another body."""

    code: str
    kind: str  # rename | merger | split
    takes_over: tuple[str, ...] = ()  # a split: whose remit the new body carries
    source: str = ""


@dataclass(frozen=True)
class Agency:
    code: str
    kind: str
    ky: str
    ru: str
    ky_abbr: tuple[str, ...] = ()
    ru_abbr: tuple[str, ...] = ()
    en: str = ""
    aliases: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    valid_from: date | None = None  # None: existed before anything the registry records
    valid_to: date | None = None  # last day; None: still exists
    predecessors: tuple[Link, ...] = ()
    sources: tuple[str, ...] = ()

    def forms(self) -> tuple[str, ...]:
        """Every spelling that names this body for certain."""
        return (self.code, self.ky, self.ru, *self.ky_abbr, *self.ru_abbr, self.en, *self.aliases)

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    def overlaps(self, other: Agency) -> bool:
        lo = max(self.valid_from or date.min, other.valid_from or date.min)
        hi = min(self.valid_to or date.max, other.valid_to or date.max)
        return lo <= hi


@dataclass(frozen=True)
class Form:
    code: str
    text: str
    confident: bool


# --------------------------------------------------------------------------- keys


@once
def _endings() -> frozenset[str]:
    # The word lists only: the whole file is validated when the registry loads (validating
    # here would need word keys, which need these endings).
    data = load_vocab("normalizers", REGISTRY_FILE)
    return frozenset(data.get("case_endings") or ())


def _is_ending(tail: str) -> bool:
    """An abbreviation's case ending, allowing one damaged letter ("ЖӨБOnүн")."""
    if not tail or tail in _endings():
        return True
    return len(tail) >= 3 and any(
        len(e) == len(tail) and sum(a != b for a, b in zip(e, tail, strict=True)) == 1
        for e in _endings()
    )


@lru_cache(maxsize=1 << 16)
def word_key(word: str) -> str:
    """The comparison key of one word: abbreviations upper-case without case endings
    ("ЭСӨМнүн" -> "ЭСОМ"), other words lower-case and cut to STEM_CHARS letters."""
    w = cyrillic(word)
    m = _ABBR.match(w)
    if m and _is_ending(m[2]):
        return fold(m[1]).upper()
    low = fold(w)
    return low[:STEM_CHARS]


@lru_cache(maxsize=1 << 14)
def text_keys(text: str) -> tuple[str, ...]:
    return tuple(word_key(w) for w in WORD.findall(text))


def _squeezed(keys: tuple[str, ...]) -> tuple[str, ...] | None:
    """("КРП", "МБА") -> ("КРПМБА",) for an abbreviation written with spaces."""
    if len(keys) > 1 and all(k.isupper() for k in keys):
        return ("".join(keys),)
    return None


def abbreviation_splits(keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """("БУУОП",) -> [("БУ", "УОП"), ("БУУ", "ОП"), ...]: an abbreviation with a stray space."""
    if len(keys) != 1 or not keys[0].isupper() or len(keys[0]) < 4:
        return []
    k = keys[0]
    return [(k[:i], k[i:]) for i in range(2, len(k) - 1)]


@once
def _fuzzy_ignore() -> frozenset[str]:
    data = load_vocab("normalizers", REGISTRY_FILE)
    return frozenset(fold(w)[:STEM_CHARS] for w in data.get("fuzzy_ignore") or ())


def fuzzy_text(text: str) -> str:
    """What rapidfuzz compares: folded words without the words all names share."""
    words = (fold(w) for w in WORD.findall(text))
    return " ".join(w for w in words if w[:STEM_CHARS] not in _fuzzy_ignore())


# --------------------------------------------------------------------------- loading


def load_registry(path: Path) -> Registry:
    """Load, validate and index a registry file. A broken file raises VocabularyError
    naming the file, the line and the reason."""
    data = load_vocab("normalizers", REGISTRY_FILE) if path == _default_path() else _parse(path)
    problem = check_registry(data, text_keys)
    if problem:
        where, reason = problem
        text = path.read_text(encoding="utf-8")  # only now: to name the line
        raise VocabularyError(path, f"line {located(text, where)}: {reason}")
    reg = Registry(
        agencies={a.code: a for a in map(_agency, data["agencies"])},
        obligated_kinds=frozenset(k for k, v in data["kinds"].items() if v),
        country_phrases=tuple(data.get("country_phrases") or ()),
        country_short=tuple((data.get("country_short") or {}).items()),
        agreement_markers=tuple(data["agreement_markers"]),
        connectors=tuple(data["connectors"]),
        distributive=tuple(data["distributive"]),
    )
    return _indexed(reg, path)


def _link(entry: dict) -> Link:
    return Link(
        code=str(entry["code"]),
        kind=str(entry["kind"]),
        takes_over=tuple(str(c) for c in entry.get("takes_over") or ()),
        source=str(entry.get("source") or ""),
    )


def _agency(entry: dict) -> Agency:
    def many(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in entry.get(key) or ())

    return Agency(
        code=str(entry["code"]),
        kind=str(entry["kind"]),
        ky=str(entry["ky"]),
        ru=str(entry["ru"]),
        ky_abbr=many("ky_abbr"),
        ru_abbr=many("ru_abbr"),
        en=str(entry.get("en") or ""),
        aliases=many("aliases"),
        uncertain=many("uncertain"),
        valid_from=entry.get("valid_from"),
        valid_to=entry.get("valid_to"),
        predecessors=tuple(_link(e) for e in entry.get("predecessors") or ()),
        sources=many("sources"),
    )


@dataclass(frozen=True)
class Registry:
    """The loaded registry. `forms` maps a key tuple to the body it names (the earliest,
    when the name passed to a later body: see `homonyms`); `successors` inverts the
    bodies' `predecessors` links."""

    agencies: dict[str, Agency]
    obligated_kinds: frozenset[str]
    country_phrases: tuple[str, ...]
    country_short: tuple[tuple[str, str], ...]
    agreement_markers: tuple[str, ...]
    connectors: tuple[str, ...]
    distributive: tuple[dict, ...]
    forms: dict[tuple[str, ...], Form] = field(default_factory=dict, compare=False)
    spellings: tuple[tuple[str, Form], ...] = field(default=(), compare=False)
    fuzzy_choices: dict[str, Form] = field(default_factory=dict, compare=False)
    vocabulary: frozenset[str] = field(default=frozenset(), compare=False)
    homonyms: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    key_codes: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, compare=False)
    successors: dict[str, tuple[tuple[str, Link], ...]] = field(default_factory=dict, compare=False)

    def __hash__(self) -> int:
        return id(self)

    @property
    def codes(self) -> list[str]:
        return list(self.agencies)

    def kind(self, code: str) -> str:
        return self.agencies[code].kind

    def is_obligated_kind(self, code: str) -> bool:
        return self.agencies[code].kind in self.obligated_kinds

    def lookup(self, text: str) -> Form | None:
        """The body a whole piece of text names exactly (any form), or None. Abbreviations
        also match with their spaces removed ("КРПМБА" = "КРП МБА", "БУУ ӨП" = "БУУӨП")."""
        keys = text_keys(text)
        return self.forms.get(keys) or self.forms.get(_squeezed(keys) or ())

    def fuzzy(self, text: str) -> tuple[Form, float] | None:
        """The closest full name by rapidfuzz ratio, if at least FUZZY_ACCEPT."""
        query = fuzzy_text(text)
        if len(query) < FUZZY_MIN_CHARS:
            return None
        best = process.extractOne(
            query, list(self.fuzzy_choices), scorer=fuzz.ratio, score_cutoff=FUZZY_ACCEPT
        )
        return (self.fuzzy_choices[best[0]], float(best[1])) if best else None

    def merged(self, abbreviations: Iterable[Abbreviation]) -> Registry:
        """This registry plus a plan's abbreviation list. A listed abbreviation that names a
        known body (by code, any form or its full name) becomes an alias of that body; an
        unknown one becomes a new body whose kind is guessed from its full name."""
        agencies = dict(self.agencies)
        changed = False
        for abbr in abbreviations:
            # The full name first: a short form may have passed to a later body.
            known = self.lookup(abbr.full_name) or self.lookup(abbr.abbr)
            if known is None:
                hit = self.fuzzy(abbr.full_name)
                known = hit[0] if hit and hit[1] >= FUZZY_SURE else None
            if known:
                agency = agencies[known.code]
                if text_keys(abbr.abbr) not in {text_keys(f) for f in agency.forms()}:
                    agencies[known.code] = replace(agency, aliases=(*agency.aliases, abbr.abbr))
                    changed = True
                continue
            agencies[abbr.abbr] = Agency(
                abbr.abbr, _guess_kind(abbr.full_name), abbr.full_name, "", (abbr.abbr,)
            )
            changed = True
        if not changed:
            return self
        return _indexed(replace(self, agencies=agencies))


# Name words -> kind, for bodies a plan lists that the registry does not know yet.
_KIND_WORDS = (
    ("министрлиги", "ministry"),
    ("министерство", "ministry"),
    ("агенттиги", "state_agency"),
    ("агенттик", "state_agency"),
    ("агентство", "state_agency"),
    ("комитети", "state_committee"),
    ("комитет", "state_committee"),
    ("кызматы", "state_service"),
    ("служба", "state_service"),
    ("инспекция", "state_inspectorate"),
    ("бириккен улуттар", "international"),
    ("эл аралык", "international"),
    ("оон", "international"),
    ("конвенция", "convention"),
    ("соту", "court"),
    ("суд", "court"),
)


def _guess_kind(full_name: str) -> str:
    low = full_name.lower()
    return next((kind for word, kind in _KIND_WORDS if word in low), "ngo")


def without_country(text: str, phrases: tuple[str, ...]) -> str:
    """`text` without the phrases that only say "of the Kyrgyz Republic"."""
    return collapse_ws(_country_pattern(phrases).sub(" ", text))


@lru_cache(maxsize=8)
def _country_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # One pattern, applied phrase by phrase in the listed order as before (longest first
    # in the file), compiled once: this runs for every spelling at every start.
    alternatives = "|".join(re.escape(p) for p in phrases) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


def _indexed(reg: Registry, path: Path | None = None) -> Registry:
    """Build the key index, fuzzy choices and word vocabulary. A name may belong to two
    bodies only at different times (a re-created ministry keeps its old name): the index
    then holds the earlier body and `homonyms` links the two; at the same time, it is an
    error in the registry file."""
    forms: dict[tuple[str, ...], Form] = {}
    derived: dict[tuple[str, ...], Form] = {}
    owners: dict[tuple[str, ...], list[str]] = {}
    fuzzy_choices: dict[str, Form] = {}
    vocabulary: set[str] = set()
    spelled: list[tuple[str, Form]] = []

    def claim(keys: tuple[str, ...], form: Form) -> bool:
        """Record `form` as an owner of `keys`; True if it is the first (primary) owner."""
        codes = owners.setdefault(keys, [])
        for other in codes:
            if other != form.code and reg.agencies[other].overlaps(reg.agencies[form.code]):
                where = path or data_path("normalizers", REGISTRY_FILE)
                raise VocabularyError(where, f"{form.text!r} names {other} and {form.code}")
        if form.code not in codes:
            codes.append(form.code)
        return codes[0] == form.code

    for agency in sorted(reg.agencies.values(), key=lambda a: a.valid_from or date.min):
        spellings = [(t, True) for t in agency.forms() if t] + [
            (t, False) for t in agency.uncertain
        ]
        for text, sure in spellings:
            keys = text_keys(text)
            if not keys:
                continue
            form = Form(agency.code, text, sure)
            if claim(keys, form):
                forms[keys] = form
                spelled.append((text, form))
            vocabulary.update(fold(w) for w in WORD.findall(text))
            stripped = without_country(text, reg.country_phrases)
            shortened = [text.replace(long, short) for long, short in reg.country_short]
            for variant in dict.fromkeys((stripped, *shortened)):
                if variant and variant != text and claim(text_keys(variant), form):
                    derived.setdefault(text_keys(variant), form)
                    spelled.append((variant, form))
            if sure and any(ch.islower() for ch in text) and len(text) >= FUZZY_MIN_CHARS:
                fuzzy_choices.setdefault(fuzzy_text(text), form)
                if stripped:
                    fuzzy_choices.setdefault(fuzzy_text(stripped), form)
    for keys, form in derived.items():
        forms.setdefault(keys, form)
    for keys, form in list(forms.items()):
        squeezed = _squeezed(keys)
        if squeezed:
            forms.setdefault(squeezed, form)
    for phrase in (*reg.agreement_markers, *reg.connectors):
        vocabulary.update(fold(w) for w in WORD.findall(phrase))
    return replace(
        reg,
        forms=forms,
        spellings=tuple(spelled),
        fuzzy_choices=fuzzy_choices,
        vocabulary=frozenset(vocabulary),
        homonyms=_homonyms(owners),
        key_codes={k: tuple(v) for k, v in owners.items()},
        successors=_successors(reg.agencies),
    )


def _homonyms(owners: dict[tuple[str, ...], list[str]]) -> dict[str, tuple[str, ...]]:
    """code -> the other bodies that share one of its names (at other times)."""
    out: dict[str, set[str]] = {}
    for codes in owners.values():
        for code in codes:
            out.setdefault(code, set()).update(c for c in codes if c != code)
    return {code: tuple(sorted(others)) for code, others in out.items() if others}


def _successors(agencies: dict[str, Agency]) -> dict[str, tuple[tuple[str, Link], ...]]:
    """code -> (successor code, the successor's link to it): the predecessors, inverted."""
    out: dict[str, list[tuple[str, Link]]] = {}
    for agency in agencies.values():
        for link in agency.predecessors:
            out.setdefault(link.code, []).append((agency.code, link))
    return {code: tuple(links) for code, links in out.items()}


def _default_path() -> Path:
    return data_path("normalizers", REGISTRY_FILE)


def _parse(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as err:
        raise VocabularyError(path, "vocabulary file not found") from err
    except yaml.YAMLError as err:
        raise VocabularyError(path, f"not valid YAML: {err}") from err


@once
def default_registry() -> Registry:
    """The built-in registry (loaded, validated and indexed once per process)."""
    return load_registry(_default_path())
