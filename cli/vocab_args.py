"""Arguments checked against a vocabulary (the agency registry, the period grammar), each
loading only what its answer needs: a typo must be answered before spaCy starts.

- an agency: a registry code is taken as it is; a name that shares no word, abbreviation or
  close full name with the registry cannot be resolved, so it is refused from the registry
  data alone (YAML + rapidfuzz) with the closest names; anything else goes to the full
  resolver (`normalizers.agencies.resolve`, a spaCy pipeline), whose answer stands.
- a period: the typed numeric forms (2020-H1, 2020-h1, 2020-1, 2020 H2, 2020) by
  pattern; the reader's word forms (1 полугодие 2020, 2020-жылдын 1-жарымы) by its grammar.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import click

from core.model import Period

if TYPE_CHECKING:
    from normalizers.agency_registry import Agency, Registry

SUGGESTIONS = 3  # closest registry names offered for an unknown agency
PERIOD_EXAMPLES = "e.g. 2019-H1, 2019-1, 1 полугодие 2019 or 2019"
# 2020-H1, 2020-h1, 2020-1, 2020 H2, 2020; the half is checked apart (2020-H3 is wrong).
_NUMERIC_PERIOD = re.compile(r"\s*(\d{4})(?:\s*-\s*[hH]?\s*(\d+)|\s+[hH]\s*(\d+))?\s*")


def agency_code(name: str) -> str:
    """A registry code from a code, an abbreviation or a full name, in either language."""
    from normalizers.agency_registry import default_registry

    registry = default_registry()
    if name in registry.agencies:
        return name
    if surely_unknown(name, registry):
        raise _unknown_agency(name, registry)
    from normalizers.agencies import resolve  # spaCy: only for what might name a body

    codes = {r.code for r in resolve(name) if r.code and r.confident and not r.is_group}
    if len(codes) == 1:
        return codes.pop()
    if codes:
        reason = f"names several agencies: {', '.join(sorted(codes))}"
        raise click.BadParameter(f"{name}: {reason}", param_hint="AGENCY")
    raise _unknown_agency(name, registry)


def surely_unknown(name: str, registry: Registry) -> bool:
    """True when the resolver cannot find a body in `name`: none of its words is a word of a
    registry name or abbreviation (compared by the registry's own keys), no split of it is an
    abbreviation, and no full name is fuzzy-close. (tests/test_cli_vocab_args.py checks this
    against the resolver on every registry name with typos and on random words.)"""
    from normalizers.agency_registry import abbreviation_splits, text_keys

    keys = text_keys(name)
    known_words = _form_words(registry)
    if any(k in known_words for k in keys):
        return False
    if any(registry.forms.get(split) for split in abbreviation_splits(keys)):
        return False
    return registry.fuzzy(name) is None


def _form_words(registry: Registry) -> frozenset[str]:
    return frozenset(k for keys in registry.forms for k in keys)


def _unknown_agency(name: str, registry: Registry) -> click.BadParameter:
    closest = ", ".join(closest_agencies(name, registry))
    return click.BadParameter(
        f"{name}: not a known agency; closest: {closest}", param_hint="AGENCY"
    )


def closest_agencies(name: str, registry: Registry, limit: int = SUGGESTIONS) -> list[str]:
    """`code (name)` of the registry bodies whose code, abbreviations or names are nearest."""
    from rapidfuzz import fuzz, process

    agencies = registry.agencies
    forms = {(code, form): form for code, a in agencies.items() for form in a.forms() if form}
    found: list[str] = []
    for _, _, (code, _) in process.extract(name, forms, scorer=fuzz.WRatio, limit=limit * 8):
        if code not in found:
            found.append(code)
    return [_label(agencies[code]) for code in found[:limit]]


def _label(agency: Agency) -> str:
    other = next((a for a in (*agency.ru_abbr, *agency.ky_abbr) if a != agency.code), None)
    return f"{agency.code} ({other})" if other else agency.code


def parse_period(text: str) -> Period:
    """Every form the report reader accepts: 2020-H1, 2020-h1, 2020-1, 1 полугодие 2020, 2020."""
    numeric = _NUMERIC_PERIOD.fullmatch(text)
    if numeric:
        half = numeric[2] or numeric[3]
        if half is None or half in ("1", "2"):
            return Period(int(numeric[1]), int(half) if half else None)
        raise _not_a_period(text)  # the reader takes "2020-h3" for 2020; typed, it is a slip
    from normalizers.periods import parse_period as read_period  # spaCy: word forms

    period = read_period(text)
    if period is None:
        raise _not_a_period(text)
    return period


def _not_a_period(text: str) -> click.BadParameter:
    return click.BadParameter(f"{text}: not a period ({PERIOD_EXAMPLES})", param_hint="--period")
