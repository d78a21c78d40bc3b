"""A page's objects as pdfplumber's `Page.objects` gives them, characters made faster.

pdfplumber turns every pdfminer object into a dict by resolving each attribute through
`resolve_all`, a call per attribute: on a decree page of ~2,000 characters that is as much
CPU as pdfminer's own parsing of the page (~2 s of a 36-page decree). A character's
attributes are plain numbers, strings and a tuple of numbers, which resolve to themselves;
`page_objects` builds the same dicts (same keys, order and values) without those calls and
hands every other object (lines, rects, curves, images, and any character with an
attribute that is not plain) to pdfplumber's own `process_object`. The equality with
`Page.parse_objects` is tested on every PDF layout the reader is tested with.
"""

from __future__ import annotations

from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar, LTContainer
from pdfplumber.page import ALL_ATTRS
from pdfplumber.utils import resolve_and_decode

_PLAIN = frozenset({float, int, str, bool, type(None)})
# The pdfplumber series whose `Page.process_object` this mirrors (tests/test_decree_pdf_objects
# compares the two); any other release gets pdfplumber's own objects, slower but exact.
MIRRORED_SERIES = "0.11."


def page_objects(page: Any) -> dict[str, list[dict[str, Any]]]:
    """`page.parse_objects()`, same result; cached on the page as pdfplumber caches its own
    (`page.close()` drops it)."""
    cached = getattr(page, "_objects", None)
    if cached is not None:
        return cached
    if not page.is_original:  # a cropped or filtered page: pdfplumber crops its parent's
        return page.objects
    if not pdfplumber.__version__.startswith(MIRRORED_SERIES):
        return page.objects
    objects: dict[str, list[dict[str, Any]]] = {}
    char = _CharMaker(page)
    for obj in _walk(page, page.layout._objs):
        made = char(obj) if type(obj) is LTChar else None
        made = made or page.process_object(obj)
        kind = made["object_type"]
        if kind != "anno":  # as pdfplumber: annotations are not page objects
            objects.setdefault(kind, []).append(made)
    page._objects = objects  # what `page.objects` returns from now on
    return objects


def _walk(page: Any, items: list[Any]) -> Any:
    """pdfplumber's `iter_layout_objects` order: a container (with layout analysis on),
    then its children."""
    for obj in items:
        if isinstance(obj, LTContainer):
            if page.pdf.laparams is not None:
                yield obj
            yield from _walk(page, obj._objs)
        else:
            yield obj


class _CharMaker:
    """`Page.process_object` for an LTChar, without a call per attribute."""

    def __init__(self, page: Any) -> None:
        self.number = page.page_number
        self.height = page.height
        self.mb_x0, self.mb_top = page.mediabox[:2]
        self.doctop = page.initial_doctop
        self.unicode_norm = page.pdf.unicode_norm
        self.spaces: dict[str, Any] = {}  # colour-space name -> decoded (few per document)

    def __call__(self, obj: LTChar) -> dict[str, Any] | None:
        """The char's dict, or None where an attribute is not plain (pdfplumber's then)."""
        attr = {k: v for k, v in obj.__dict__.items() if k in ALL_ATTRS}
        for v in attr.values():
            if type(v) not in _PLAIN and not _plain_tuple(v):
                return None
        if isinstance(attr.get("fontname"), bytes):
            return None
        attr["object_type"] = "char"
        attr["page_number"] = self.number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                attr[cs] = self._space(getattr(obj, cs).name)
        text = obj.get_text()
        norm = self.unicode_norm
        attr["text"] = normalize_unicode(norm, text) if norm is not None else text
        gs = obj.graphicstate
        attr["stroking_color"] = gs.scolor if isinstance(gs.scolor, tuple) else (gs.scolor,)
        attr["non_stroking_color"] = gs.ncolor if isinstance(gs.ncolor, tuple) else (gs.ncolor,)
        if "y0" in attr:
            attr["top"] = (self.height - attr["y1"]) + self.mb_top
            attr["bottom"] = (self.height - attr["y0"]) + self.mb_top
            attr["doctop"] = self.doctop + attr["top"]
        if "x0" in attr and self.mb_x0 != 0:
            attr["x0"] = attr["x0"] + self.mb_x0
            attr["x1"] = attr["x1"] + self.mb_x0
        return attr

    def _space(self, name: Any) -> Any:
        if type(name) is not str:
            return resolve_and_decode(name)
        if name not in self.spaces:
            self.spaces[name] = resolve_and_decode(name)
        return self.spaces[name]


def _plain_tuple(v: Any) -> bool:
    """A tuple of plain values: `resolve_all` would rebuild an equal tuple."""
    return type(v) is tuple and all(type(x) in _PLAIN for x in v)
