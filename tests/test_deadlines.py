"""Deadline, period and letter-date parsing on real plan/report phrases (Kyrgyz and Russian)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import Period
from normalizers.deadlines import grammar, parse_deadline, parse_period, parse_report_date

PLAN = (2018, 2020)
D = date
H1_19, H2_19 = (D(2019, 1, 1), D(2019, 6, 30)), (D(2019, 7, 1), D(2019, 12, 31))
Y18, Y19, Y20 = (
    (D(2018, 1, 1), D(2018, 12, 31)),
    H1_19[:1] + H2_19[1:],
    (D(2020, 1, 1), D(2020, 12, 31)),
)
ALL = (D(2018, 1, 1), D(2020, 12, 31))

# (phrase, start, end, recurrence, confident) — read with the plan years 2018-2020.
ONCE = [
    # Kyrgyz, as the seed decree prints them (damage included)
    ("2019-жылдын ичинде", *Y19, True),
    ("2019-жылдын 2-жарым жылдыгы", *H2_19, True),
    ("2019-жылдын 2- жарым жылдыгы", *H2_19, True),
    ("2019-жылдын 2-жары м жылдыгы", *H2_19, True),
    ("2019-жылдын 1-жарымы жылдыгы", *H1_19, True),
    ("2018-жылдын 2-жарымы жылдыгы", D(2018, 7, 1), D(2018, 12, 31), True),
    ("2018-жылдын 2- жарым жылдыгы", D(2018, 7, 1), D(2018, 12, 31), True),
    ("2019-жылдын 1-жарым жылдыгы", *H1_19, True),
    ("2020-жылдын 1-жарым жылдыгы", D(2020, 1, 1), D(2020, 6, 30), True),
    ("2018-2020-жылдар", *ALL, True),
    ("2018- 2020- жылд ар", *ALL, True),
    ("2018-2020 жылдар", *ALL, True),
    ("2019-2020-жылдар", D(2019, 1, 1), D(2020, 12, 31), True),
    ("2018-2019-жылдар", D(2018, 1, 1), D(2019, 12, 31), True),
    ("2019-жыл", *Y19, True),
    ("2018-жыл", *Y18, True),
    ("2020-жыл", *Y20, True),
    ("2019 ж.", *Y19, True),
    ("2018-2020-жж.", *ALL, True),
    ("2019-жылдын 4-чейреги", D(2019, 10, 1), D(2019, 12, 31), True),
    ("2020-жылдын 1-чейрегинде", D(2020, 1, 1), D(2020, 3, 31), True),
    ("2019-жылдын март айы", D(2019, 3, 1), D(2019, 3, 31), True),
    ("2019-жылдын 1-июлуна чейин", D(2018, 1, 1), D(2019, 7, 1), True),
    ("2019-жылдын биринчи жарым жылдыгы", *H1_19, True),
    ("2019-жылдын экинчи жарым жылдыгы", *H2_19, True),
    (
        "2018-жылдын 2-жарым жылдыгы - 2019-жылдын 2-жарым жылдыгы",
        D(2018, 7, 1),
        D(2019, 12, 31),
        True,
    ),
    (
        "2019-жылдын 1-жарым жылдыгы, 2020-жылдын 1-жарым жылдыгы",
        D(2019, 1, 1),
        D(2020, 6, 30),
        True,
    ),
    ("2019-жыл, 2020-жыл", D(2019, 1, 1), D(2020, 12, 31), True),
    (
        "2019-жылдын 1-жарым жылдыгы жана 2020-жылдын 1-жарым жылдыгы",
        D(2019, 1, 1),
        D(2020, 6, 30),
        True,
    ),
    ("2019-жылдын 4-чейреги - 2020-жылдын 2-чейреги", D(2019, 10, 1), D(2020, 6, 30), True),
    # typos: best reading inside the plan years, never confident
    ("201-2020-жылдар", *ALL, False),
    ("2021-жыл", D(2021, 1, 1), D(2021, 12, 31), False),
    ("2019-жыл жыйынында каралды", *Y19, False),
    # Russian
    ("II полугодие 2019 г.", *H2_19, True),
    ("2 полугодие 2019 года", *H2_19, True),
    ("I полугодие 2019 года", *H1_19, True),
    ("первое полугодие 2019 года", *H1_19, True),
    ("в течение 2019 года", *Y19, True),
    ("2019 год", *Y19, True),
    ("2019 г.", *Y19, True),
    ("2018-2020 гг.", *ALL, True),
    ("2018 – 2020 годы", *ALL, True),
    ("IV квартал 2020 года", D(2020, 10, 1), D(2020, 12, 31), True),
    ("3 квартал 2019 г.", D(2019, 7, 1), D(2019, 9, 30), True),
    ("март 2019 года", D(2019, 3, 1), D(2019, 3, 31), True),
    ("до 1 июля 2019 г.", D(2018, 1, 1), D(2019, 7, 1), True),
    ("до 31 декабря 2019 года", D(2018, 1, 1), D(2019, 12, 31), True),
    ("до 01.07.2019", D(2018, 1, 1), D(2019, 7, 1), True),
    ("до конца 2019 года", D(2018, 1, 1), D(2019, 12, 31), True),
    ("с 2018 по 2020 год", *ALL, True),
    ("I полугодие 2019 г. - II полугодие 2020 г.", D(2019, 1, 1), D(2020, 12, 31), True),
    ("I полугодие 2019 г., I полугодие 2020 г.", D(2019, 1, 1), D(2020, 6, 30), True),
    ("II квартал 2019 г. – IV квартал 2019 г.", D(2019, 4, 1), D(2019, 12, 31), True),
]

REPEATING = [
    ("Жыл сайын", *ALL, "annual", True),
    ("жыл сайын", *ALL, "annual", True),
    ("ежегодно", *ALL, "annual", True),
    ("Ежегодно, 2019-2020 гг.", D(2019, 1, 1), D(2020, 12, 31), "annual", True),
    ("туруктуу", *ALL, "continuous", True),
    ("Туруктуу негизде", *ALL, "continuous", True),
    ("постоянно", *ALL, "continuous", True),
    ("на постоянной основе", *ALL, "continuous", True),
]

UNREADABLE = [
    "",
    "   ",
    "чепуха",
    "Республикалык бюджетте каралган",
    "----",
    "по мере необходимости",
]


@pytest.mark.parametrize(("text", "start", "end", "confident"), ONCE, ids=[c[0] for c in ONCE])
def test_once(text, start, end, confident):
    d = parse_deadline(text, PLAN)
    assert (d.start, d.end, d.recurrence, d.confident) == (start, end, "once", confident)
    assert d.raw == text and d.checkpoints and d.checkpoints[-1] == end


@pytest.mark.parametrize(("text", "start", "end", "recurrence", "confident"), REPEATING)
def test_repeating(text, start, end, recurrence, confident):
    d = parse_deadline(text, PLAN)
    assert (d.start, d.end, d.recurrence, d.confident) == (start, end, recurrence, confident)


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_is_unknown(text):
    d = parse_deadline(text, PLAN)
    assert (d.start, d.end, d.recurrence, d.confident, d.checkpoints) == (
        None,
        None,
        "unknown",
        False,
        [],
    )


def test_phrase_count_covers_the_issue():
    assert len(ONCE) + len(REPEATING) + len(UNREADABLE) >= 60


def test_annual_spans_whole_years():
    d = parse_deadline("жыл сайын, июль 2019 г.", PLAN)
    assert (d.start, d.end, d.checkpoints) == (D(2019, 1, 1), D(2019, 12, 31), [D(2019, 12, 31)])


def test_checkpoints_of_lists_and_annual():
    listed = parse_deadline("2019-жылдын 1-жарым жылдыгы, 2020-жылдын 1-жарым жылдыгы", PLAN)
    assert listed.checkpoints == [D(2019, 6, 30), D(2020, 6, 30)]
    annual = parse_deadline("Жыл сайын", PLAN)
    assert annual.checkpoints == [D(2018, 12, 31), D(2019, 12, 31), D(2020, 12, 31)]
    ranged = parse_deadline("2018-жылдын 2-жарым жылдыгы - 2019-жылдын 2-жарым жылдыгы", PLAN)
    assert ranged.checkpoints == [D(2019, 12, 31)]


def test_without_plan_years():
    assert parse_deadline("2019-жылдын ичинде").confident
    typo = parse_deadline("201-2020-жылдар")
    assert typo.recurrence == "unknown" or not typo.confident
    annual = parse_deadline("Жыл сайын")
    assert (annual.recurrence, annual.start, annual.confident) == ("annual", None, False)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2019-жылдын 1-жарым жылдыгы (үчүн)", Period(2019, 1)),
        ("2019-жылдын 2-жарым жылдыгы үчүн отчет", Period(2019, 2)),
        ("за 1 полугодие 2019 года", Period(2019, 1)),
        ("за II полугодие 2019 г.", Period(2019, 2)),
        ("за 6 месяцев 2019 года", Period(2019, 1)),
        ("за 2019 год", Period(2019)),
        ("2019-H1", Period(2019, 1)),
        ("БИМ_2019_2.xlsx", Period(2019, 2)),
        ("БИМ_2019-1.xlsx", Period(2019, 1)),
        ("МОН отчет 1 полугодие 2019.docx", Period(2019, 1)),
        ("Отчет за I полугодие 2020 года от 03.07.2020", Period(2020, 1)),
        ("отчет", None),
        ("2018-2020-жылдар", None),
    ],
)
def test_parse_period(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("2020-жылдын 3-июлу № 01-12/345", D(2020, 7, 3)),
        ("03.07.2020 № 12-3/456", D(2020, 7, 3)),
        ("от 3 июля 2020 г. № 12-345", D(2020, 7, 3)),
        ("Исх. № 05-2/118 от 15 января 2020 года", D(2020, 1, 15)),
        ("2019-жылдын 25-декабрындагы № 7", D(2019, 12, 25)),
        ("№ 12-345", None),
        ("31.02.2020", None),
    ],
)
def test_parse_report_date(text, when):
    assert parse_report_date(text) == when


def test_grammar_is_data():
    g = grammar()
    assert {"HALF", "QUARTER", "YEAR_RANGE", "ANNUAL", "CONTINUOUS"} <= set(
        g.matcher._patterns and [g.matcher.vocab.strings[k] for k in g.matcher._patterns]
    )


# --------------------------------------------------------------------------- properties

_pieces = st.sampled_from(
    [
        "2019",
        "2018",
        "2020",
        "201",
        "-",
        "жылдын",
        "жылдар",
        "2-",
        "1-",
        "жарым",
        "жылдыгы",
        ",",
        "чейрек",
        "II",
        "полугодие",
        "г.",
        "до",
        "чейин",
        "Жыл",
        "сайын",
        "туруктуу",
        "июля",
        "3",
        "31",
        "12",
        ".",
        "жары",
        "м",
        "ичинде",
        "квартал",
        "IV",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces, max_size=9).map(" ".join), st.sampled_from([None, PLAN, (2019, 2019)]))
def test_properties_on_grammar_words(text, years):
    _check(parse_deadline(text, years))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_never_raises_on_any_text(text):
    _check(parse_deadline(text, PLAN))
    parse_period(text)
    parse_report_date(text)


def _check(d):
    if d.start and d.end:
        assert d.start <= d.end
        assert d.checkpoints == sorted(d.checkpoints)
        assert all(d.start <= c <= d.end for c in d.checkpoints)
    if d.recurrence == "unknown":
        assert not d.confident


# --------------------------------------------------------------------------- confidence (issue 14)

PLAN_2022 = (2022, 2024)


@pytest.mark.parametrize(
    ("text", "start", "end", "recurrence"),
    [
        # read exactly, with a preposition in front: confident
        ("на 2022-2024 годы", date(2022, 1, 1), date(2024, 12, 31), "once"),
        ("к 1 сентября 2023 года", date(2022, 1, 1), date(2023, 9, 1), "once"),
        ("до 1 марта 2023 г.", date(2022, 1, 1), date(2023, 3, 1), "once"),
        ("в течение 2023 года", date(2023, 1, 1), date(2023, 12, 31), "once"),
        ("до конца сентября 2023 года", date(2022, 1, 1), date(2023, 9, 30), "once"),
        # "до <month>" is due before that month starts
        ("до сентября 2023 года", date(2022, 1, 1), date(2023, 8, 31), "once"),
        ("2023-жылдын сентябрына чейин", date(2022, 1, 1), date(2023, 8, 31), "once"),
        # a recurrence, not a date
        ("раз в год", date(2022, 1, 1), date(2024, 12, 31), "annual"),
        ("жылына бир жолу", date(2022, 1, 1), date(2024, 12, 31), "annual"),
    ],
)
def test_exact_readings_are_confident(text, start, end, recurrence):
    d = parse_deadline(text, PLAN_2022)
    assert (d.start, d.end, d.recurrence, d.confident) == (start, end, recurrence, True)


def test_until_a_month_outside_the_plan_ends_the_day_before_but_is_doubted():
    d = parse_deadline("до сентября 2020 года", PLAN_2022)
    assert (d.end, d.confident) == (date(2020, 8, 31), False)


@pytest.mark.parametrize(
    "text",
    ["до 1 марта года, следующего за отчетным", "ежегодно, до 1 марта", "до 1 марта"],
)
def test_relative_phrases_never_get_a_made_up_confident_date(text):
    d = parse_deadline(text, PLAN_2022)
    assert not d.confident
    assert d.recurrence in ("unknown", "annual")  # flagged, or a recurrence over the plan
