"""Agency names in the workbook's language, from the normalizers' registry.

The code (БИМ, ЭСӨМ) is the registry's stable id and its Kyrgyz abbreviation; a Russian
workbook shows the Russian abbreviation (МОН, МТСР) and the full names in either language.
A code the registry does not know (a plan's own abbreviation) is shown as it is.
"""

from __future__ import annotations

from datetime import date

from core.once import once


@once
def _agencies() -> dict:
    from normalizers.agency_registry import default_registry

    return default_registry().agencies


def short_name(code: object, lang: str) -> object:
    """БИМ -> БИМ (ky) / МОН (ru)."""
    agency = _agencies().get(code) if isinstance(code, str) else None
    if agency is None:
        return code
    abbrs = agency.ru_abbr if lang == "ru" else agency.ky_abbr
    return abbrs[0] if abbrs else code


def full_name(code: object, lang: str) -> object:
    """БИМ -> Кыргыз Республикасынын Билим берүү жана илим министрлиги / Министерство ..."""
    agency = _agencies().get(code) if isinstance(code, str) else None
    if agency is None:
        return code
    return (agency.ru if lang == "ru" else agency.ky) or code


def full_name_today(code: object, lang: str, today: date | None = None) -> object:
    """The plan's name, and today's body beside it when the body was renamed or merged since
    (the 2021 reorganisation): "<plan's name> → <today's name>"; as `full_name` otherwise."""
    name = full_name(code, lang)
    if not isinstance(code, str) or code not in _agencies():
        return name
    from normalizers.agency_time import current_name, successors_on

    on = today or date.today()
    now = current_name(code, lang, on) if successors_on(code, on) != (code,) else name
    return name if now == name else f"{name} → {now}"  # the 2021 health ministry kept its name
