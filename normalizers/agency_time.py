"""The agency registry over time: which body a name meant on a date, and whose obligations
a body carries after renames, mergers and splits.

    successors_on("ЭСӨМ", date(2024, 1, 1))        -> ("ЭСКММ",)
    successor_chain("ЭСӨМ", date(2024, 1, 1))      -> ["ЭСӨМ", "СССӨМ", "ЭСКММ"]
    predecessors_in("СССӨМ", {"ССМ", "ЭСӨМ", "БИМ"}) -> {"ССМ", "ЭСӨМ"}   (credit entry by entry)
    current_name("ЭСӨМ", "ky", date(2024, 1, 1))   -> "Кыргыз Республикасынын Эмгек, ..."
    at_date(ref, on)                               -> the AgencyRef as of `on`

The history is the registry's `predecessors` links (`data/agencies.yaml`). A split link
says whose remit the new body takes over (`takes_over`), so the labour half of the 2021
merger leads to the labour ministry, never to the health ministry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from core.model import AgencyRef
from normalizers.agency_registry import Registry, default_registry, text_keys, without_country
from normalizers.nlp import fold


def _reg(registry: Registry | None) -> Registry:
    return registry or default_registry()


def ancestors(code: str, registry: Registry | None = None) -> frozenset[str]:
    """`code` and every body whose remit it carries: a merger's parts, a rename's old body,
    a split's predecessor and (through `takes_over`) only the part of it this body took."""
    reg = _reg(registry)
    out = {code}
    for link in reg.agencies[code].predecessors:
        out.add(link.code)  # the merged body itself, too: a plan adopted in 2021 names it
        for origin in link.takes_over or (link.code,):
            out |= ancestors(origin, reg)
    return frozenset(out)


def obligations_of(code: str, registry: Registry | None = None) -> frozenset[str]:
    """Every registry body whose plan obligations a report from `code` may count for."""
    return ancestors(code, registry)


def predecessors_in(code: str, plan_codes, registry: Registry | None = None) -> set[str]:
    """The plan's bodies that `code` is (or succeeded): one for a rename or a split, several
    for the 2021 merger — then each entry is credited to the one obligated for its measure."""
    reg = _reg(registry)
    if code not in reg.agencies:
        return {code} & set(plan_codes)
    return set(ancestors(code, reg)) & set(plan_codes)


def merged_parts(code: str, registry: Registry | None = None) -> tuple[str, ...]:
    """The bodies merged into `code` (two or more merger links), else ()."""
    links = _reg(registry).agencies[code].predecessors
    parts = tuple(link.code for link in links if link.kind == "merger")
    return parts if len(parts) > 1 else ()


def successors_on(code: str, on: date, registry: Registry | None = None) -> tuple[str, ...]:
    """The bodies that carry `code`'s remit on `on`: itself while it exists (or before it
    exists, or when nothing succeeded it), else its successors, following splits only into
    the part that took over this body's remit."""
    reg = _reg(registry)
    lineage = set(ancestors(code, reg))
    return tuple(dict.fromkeys(_forward(reg, code, on, lineage)))


def _forward(reg: Registry, code: str, on: date, lineage: set[str]) -> list[str]:
    agency = reg.agencies[code]
    nexts = [
        (succ, link)
        for succ, link in reg.successors.get(code, ())
        if not link.takes_over or lineage & set(link.takes_over)
    ]
    if agency.valid_on(on) or not nexts or (agency.valid_to and on <= agency.valid_to):
        return [code]
    out: list[str] = []
    for succ, _ in nexts:
        out.extend(_forward(reg, succ, on, lineage | {succ}))
    return out


def successor_chain(code: str, on: date, registry: Registry | None = None) -> list[str]:
    """`code`, then each body its remit passed through, up to the bodies of `on` (last)."""
    reg = _reg(registry)
    lineage = set(ancestors(code, reg))
    chain, frontier = [code], [code]
    while frontier:
        step = []
        for c in frontier:
            if reg.agencies[c].valid_on(on):
                continue
            for succ, link in reg.successors.get(c, ()):
                if (not link.takes_over or lineage & set(link.takes_over)) and succ not in chain:
                    step.append(succ)
                    lineage.add(succ)
        chain.extend(step)
        frontier = step
    return chain


def current_name(code: str, lang: str, on: date, registry: Registry | None = None) -> str:
    """The name (`lang` "ky" or "ru") of the body that carries `code`'s remit on `on`;
    several successors are joined with " / "."""
    reg = _reg(registry)
    if code not in reg.agencies:
        return code
    names = [
        getattr(reg.agencies[c], lang) or reg.agencies[c].ky for c in successors_on(code, on, reg)
    ]
    return " / ".join(dict.fromkeys(names))


def display(code: str, lang: str, on: date, registry: Registry | None = None) -> str:
    """ "ЭСӨМ → <today's name>" for the workbook; just the name when nothing changed."""
    reg = _reg(registry)
    now = current_name(code, lang, on, reg)
    if code in reg.agencies and successors_on(code, on, reg) == (code,):
        return now
    return f"{code} → {now}"


# --------------------------------------------------------------------------- refs in time


def at_date(ref: AgencyRef, on: date | None, registry: Registry | None = None) -> AgencyRef:
    """The body `ref` names as of `on`. A name shared by bodies of different times picks
    the one valid then; an outdated name moves to its successor (never confidently); a
    merged body is never confident and lists its parts. `on=None` keeps the code and only
    applies the merged-body rule (and doubts a name that also named a merged body)."""
    reg = _reg(registry)
    if ref.code is None or ref.code not in reg.agencies:
        return ref
    shared = _shared_owners(ref, reg)
    code, confident = ref.code, ref.confident
    if on is not None:
        code, confident = _pick(ref, reg, on, shared)
    elif any(merged_parts(c, reg) for c in shared if c != ref.code) and not _spelled(ref, reg):
        # "Минздравсоцразвития" reads like "Минздрав" by stem: take the body spelled so
        spelled = _spelled_owners(ref, reg, shared)
        code, confident = (spelled[0] if len(spelled) == 1 else code), False
    parts = merged_parts(code, reg)
    agency = reg.agencies[code]
    return replace(
        ref,
        code=code,
        confident=confident and not parts,
        kind=agency.kind,
        obligated=ref.obligated and reg.is_obligated_kind(code),
        parts=parts,
    )


def _shared_owners(ref: AgencyRef, reg: Registry) -> tuple[str, ...]:
    """The bodies the ref's exact words name (several when a name passed between bodies);
    words that are no registry name (a qualifier, a typo) could mean any of the homonyms."""
    for text in (ref.raw, without_country(ref.raw, reg.country_phrases)):
        owners = reg.key_codes.get(text_keys(text))
        if owners:
            return owners
    return (ref.code, *reg.homonyms.get(ref.code, ()))


def _spelled(ref: AgencyRef, reg: Registry) -> bool:
    """The ref's words are one of its body's spellings letter for letter (not by stem)."""
    raw = fold(without_country(ref.raw, reg.country_phrases))
    agency = reg.agencies[ref.code]
    return any(fold(without_country(t, reg.country_phrases)) == raw for t in agency.forms() if t)


def _spelled_owners(ref: AgencyRef, reg: Registry, shared: tuple[str, ...]) -> list[str]:
    return [c for c in shared if _spelled(replace(ref, code=c), reg)]


def _pick(ref: AgencyRef, reg: Registry, on: date, shared: tuple[str, ...]) -> tuple[str, bool]:
    candidates = dict.fromkeys((ref.code, *shared))  # only bodies these very words name
    valid = [c for c in candidates if reg.agencies[c].valid_on(on)]
    if len(valid) == 1:
        exact = valid[0] in shared or valid[0] == ref.code
        if any(merged_parts(c, reg) for c in shared if c != valid[0]):
            # the words also name a merged body ("Минздравсоцразвития" = "Минздрав" by stem):
            # only a letter-for-letter spelling is certain, and it may be the other body's
            spelled = _spelled_owners(ref, reg, shared)
            if len(spelled) == 1 and spelled[0] != valid[0]:
                return spelled[0], False
            exact = exact and valid[0] in spelled
        return valid[0], ref.confident and exact
    later = successors_on(ref.code, on, reg)
    if len(later) == 1 and later[0] != ref.code:
        return later[0], False  # an old name in a newer document: a person checks it
    return ref.code, ref.confident and reg.agencies[ref.code].valid_on(on)
