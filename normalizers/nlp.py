"""The shared blank spaCy pipelines and the letter folding every normalizer uses.

Pipelines are built once per process (`blank`) — building one costs ~0.3 s, running one on a
cell costs microseconds. No statistical model is ever loaded: only `spacy.blank("ky")` /
`spacy.blank("ru")` plus planwatch's rule components.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from core.once import once

if TYPE_CHECKING:  # spaCy loads with the first pipeline: folding letters needs none of it
    from spacy.language import Language

# Latin letters that PDF converters and typists put in place of Cyrillic look-alikes.
_LOOKALIKE = str.maketrans(
    "AaBCcEeHKMOoPpTXxYyn",
    "АаВСсЕеНКМОоРрТХхУуп",
)
_WORD = re.compile(r"\w+")
# Kyrgyz letters a Russian keyboard cannot type, and what people type instead (ЭСОМ for ЭСӨМ).
_KEYBOARD = str.maketrans("өүңһёӨҮҢҺЁ", "оунхеОУНХЕ")


@once
def blank(lang: str) -> Language:
    """A cached `spacy.blank(lang)`; `lang` is "ky" or "ru"."""
    import spacy

    return spacy.blank(lang)


@lru_cache(maxsize=1 << 16)  # the same words come back in every cell: fold each once
def cyrillic(text: str) -> str:
    """Latin look-alikes inside Cyrillic words mapped to Cyrillic ("ЖӨБOnүн" -> "ЖӨБОпүн").

    Words without a Cyrillic letter ("UNDP", "FAO") are left alone."""
    return _WORD.sub(lambda m: m[0].translate(_LOOKALIKE) if has_cyrillic(m[0]) else m[0], text)


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and keyboard-insensitive form: lower-case, look-alikes and Kyrgyz letters folded."""
    return cyrillic(text).translate(_KEYBOARD).lower()


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)
