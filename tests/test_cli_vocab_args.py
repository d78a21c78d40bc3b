"""The quick answers of cli.vocab_args agree with the full readers they stand in front of:
an agency refused from the registry data alone is one the spaCy resolver finds nothing in,
and a numeric period means what the report reader makes of it."""

from __future__ import annotations

import random

import click
import pytest

from cli.vocab_args import agency_code, parse_period, surely_unknown
from core.model import Period
from normalizers.agencies import registry, resolve
from normalizers.periods import parse_period as read_period

LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЧШЫЭЮЯӨҮҢабвгдежзиклмнопрстуфхчшыэюяөүң "


def resolved_codes(name: str) -> set[str]:
    return {r.code for r in resolve(name) if r.code and r.confident and not r.is_group}


def typos(rng: random.Random, text: str) -> list[str]:
    i = rng.randrange(len(text))
    return [text[:i] + text[i + 1 :], text[:i] + rng.choice(LETTERS) + text[i + 1 :]]


def test_refused_names_are_ones_the_resolver_cannot_place():
    rng = random.Random(7)
    reg = registry()
    names = {"ХХХ", "Министерство чудес", "Минобр", "эсөм"}
    for agency in reg.agencies.values():
        for form in (f for f in agency.forms() if f):
            names.update(typos(rng, form))
    names.update(
        "".join(rng.choice(LETTERS) for _ in range(rng.randrange(2, 20))) for _ in range(200)
    )
    names = {n.strip() for n in names if n.strip()}
    refused = sorted(n for n in names if surely_unknown(n, reg))
    assert len(refused) > 150  # the quick path answers a real share of the typos
    wrongly = [(n, resolved_codes(n)) for n in refused if resolved_codes(n)]
    assert wrongly == []


def test_unknown_agency_lists_the_closest_names():
    with pytest.raises(click.BadParameter) as caught:
        agency_code("ЭСӨМХ")
    line = caught.value.message
    assert line.startswith("ЭСӨМХ: not a known agency; closest: ") and "ЭСӨМ (МТСР)" in line


def test_known_agency_forms():
    assert agency_code("ЭСӨМ") == "ЭСӨМ"
    # not a code: the resolver's answer stands (an abbreviation in the other language)
    assert agency_code("МОН") == "БИМ"


@pytest.mark.parametrize(
    "text",
    [
        "2020-H1",
        "2020-h2",
        "2020-1",
        "2020-2",
        "2020 H1",
        "2020 - h2",
        "2020 2",
        "2020",
        " 2019-H2 ",
    ],
)
def test_numeric_periods_read_as_the_report_reader_reads_them(text: str):
    assert parse_period(text) == read_period(text) != None  # noqa: E711


def test_word_periods_go_to_the_reader():
    assert parse_period("1 полугодие 2020") == Period(2020, 1)


@pytest.mark.parametrize("text", ["2020-H3", "2020-0", "2020-12", "20.07.2020", "H1", "2020 H3"])
def test_not_periods(text: str):
    with pytest.raises(click.BadParameter, match="not a period"):
        parse_period(text)
