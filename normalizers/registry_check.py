"""Validation of the agency registry file, with the line of each problem.

`check_registry(data, keys)` returns the first problem as (where, reason), `where` being a
path into the YAML document such as ("agencies", 12, "valid_to"); `located(text, where)`
turns that path into a 1-based line number of the file, so a broken edit is reported as
"agencies.yaml: line 312: agency 'ЭКМ': predecessor 'ЭФМ' ends 2021-10-14, after ...".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import combinations
from typing import Any

import yaml

Where = tuple[Any, ...]
Problem = tuple[Where, str]

LINK_KINDS = frozenset({"rename", "merger", "split"})
_FIELDS = ("code", "kind", "ky", "ru")
_SECTIONS = ("kinds", "case_endings", "agreement_markers", "connectors", "distributive")
_NAME_FIELDS = ("code", "ky", "ru", "ky_abbr", "ru_abbr", "en", "aliases")


def check_registry(data: object, keys: Callable[[str], tuple[str, ...]]) -> Problem | None:
    """The first problem in a loaded registry document, or None. `keys` reduces a name to
    its comparison key (the registry's `text_keys`), for the one-name-one-body-at-a-time rule."""
    if not isinstance(data, dict) or not isinstance(data.get("agencies"), list):
        return (), "expected a mapping with an 'agencies' list"
    for key in _SECTIONS:
        if key not in data:
            return (), f"missing section {key!r}"
    entries = data["agencies"]
    for check in (_check_fields, _check_dates, _check_links, _check_names):
        problem = check(entries, data, keys)
        if problem:
            return problem
    return None


def _check_fields(entries: list, data: dict, keys) -> Problem | None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return ("agencies", i), f"agency #{i + 1} is not a mapping"
        missing = [f for f in _FIELDS if not entry.get(f)]
        if missing:
            return (
                "agencies",
                i,
            ), f"agency #{i + 1} ({entry.get('code')!r}) lacks {', '.join(missing)}"
        if entry["kind"] not in data["kinds"]:
            return (
                "agencies",
                i,
                "kind",
            ), f"agency {entry['code']!r}: unknown kind {entry['kind']!r}"
        if entry["code"] in seen:
            return ("agencies", i, "code"), f"agency code {entry['code']!r} listed twice"
        seen.add(entry["code"])
    return None


def _check_dates(entries: list, data: dict, keys) -> Problem | None:
    for i, entry in enumerate(entries):
        code = entry["code"]
        for field in ("valid_from", "valid_to"):
            value = entry.get(field)
            if value is not None and not isinstance(value, date):
                return (
                    "agencies",
                    i,
                    field,
                ), f"agency {code!r}: {field} {value!r} is not a date (YYYY-MM-DD)"
        lo, hi = entry.get("valid_from"), entry.get("valid_to")
        if lo and hi and lo > hi:
            return (
                "agencies",
                i,
                "valid_to",
            ), f"agency {code!r}: valid_to {hi} is before valid_from {lo}"
        dated = lo or hi or entry.get("predecessors")
        if dated and not entry.get("sources"):
            return (
                "agencies",
                i,
            ), f"agency {code!r}: validity dates or predecessors without `sources`"
    return None


def _check_links(entries: list, data: dict, keys) -> Problem | None:
    by_code = {e["code"]: e for e in entries}
    for i, entry in enumerate(entries):
        code = entry["code"]
        for j, link in enumerate(entry.get("predecessors") or ()):
            where = ("agencies", i, "predecessors", j)
            problem = _link_problem(code, entry, link, by_code)
            if problem:
                return where, problem
    return None


def _link_problem(code: str, entry: dict, link: object, by_code: dict) -> str | None:
    if not isinstance(link, dict) or "code" not in link:
        return f"agency {code!r}: a predecessor must be a mapping with a code"
    pred = by_code.get(link["code"])
    if pred is None:
        return f"agency {code!r}: predecessor {link['code']!r} is not in the registry"
    if link.get("kind") not in LINK_KINDS:
        return f"agency {code!r}: link kind {link.get('kind')!r} is not one of {sorted(LINK_KINDS)}"
    if not link.get("source"):
        return f"agency {code!r}: the link from {link['code']!r} has no source"
    unknown = [c for c in link.get("takes_over") or () if c not in by_code]
    if unknown:
        return f"agency {code!r}: takes_over names unknown {', '.join(map(repr, unknown))}"
    ended, began = pred.get("valid_to"), entry.get("valid_from")
    if ended is None or began is None:
        return f"agency {code!r}: a link needs the predecessor's valid_to and this valid_from"
    if ended >= began:
        return f"agency {code!r}: predecessor {link['code']!r} ends {ended}, not before {began}"
    return None


def _check_names(entries: list, data: dict, keys) -> Problem | None:
    """Two bodies may share a name only at different times."""
    owners: dict[tuple[str, ...], list[int]] = {}
    for i, entry in enumerate(entries):
        for name in _names(entry):
            owner_list = owners.setdefault(keys(name), [])
            if i not in owner_list:
                owner_list.append(i)
    for key, indexes in owners.items():
        for a, b in combinations(indexes, 2):
            if key and _overlap(entries[a], entries[b]):
                first, second = entries[a]["code"], entries[b]["code"]
                reason = (
                    f"agency {second!r}: name {' '.join(key)!r} also names {first!r} "
                    "at the same time (give one of them valid_from/valid_to)"
                )
                return ("agencies", b, "code"), reason
    return None


def _names(entry: dict) -> list[str]:
    out: list[str] = []
    for field in _NAME_FIELDS:
        value = entry.get(field)
        out.extend(str(v) for v in (value if isinstance(value, list) else [value]) if v)
    return out


def _overlap(a: dict, b: dict) -> bool:
    lo = max(a.get("valid_from") or date.min, b.get("valid_from") or date.min)
    hi = min(a.get("valid_to") or date.max, b.get("valid_to") or date.max)
    return lo <= hi


def located(text: str, where: Where) -> int:
    """1-based line of the node at `where` in the YAML `text` (the nearest enclosing node
    that exists; line 1 for the document itself)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return 1
    line = node.start_mark.line if node else 0
    for step in where:
        node = _child(node, step)
        if node is None:
            break
        line = node.start_mark.line
    return line + 1


def _child(node: yaml.Node | None, step: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((v for k, v in node.value if k.value == step), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None
