"""Report periods and letter dates in the forms people type (normalizers.periods)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.model import Period
from normalizers.periods import (
    _validate_extension,
    century_of,
    parse_period,
    parse_report_date,
    period_grammar,
)

SEED_PLAN = (2018, 2020)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        # Russian abbreviations, with and without separators
        ("Отчет МОН_1пол_2020.docx", Period(2020, 1)),
        ("МВД 1пол2019", Period(2019, 1)),
        ("ИИМ II пол. 2019", Period(2019, 2)),
        ("за 2-пол 2020 г.", Period(2020, 2)),
        ("1 полуг. 2020", Period(2020, 1)),
        ("I полугодие 2020 года", Period(2020, 1)),
        ("за первое полугодие 2019 года", Period(2019, 1)),
        ("за второе полугодие 2020 г.", Period(2020, 2)),
        ("П полугодие 2019", Period(2019, 2)),  # OCR reads "II" as Cyrillic П
        ("І полугодие 2019", Period(2019, 1)),  # Cyrillic І typed for Latin I
        ("И полугодие 2019 года", Period(2019, 1)),  # OCR reads a serif "I" as Cyrillic И
        # Kyrgyz
        ("2020-ж. 1-ж.ж.", Period(2020, 1)),
        ("1-ж.ж. 2019-ж.", Period(2019, 1)),
        ("2019-жылдын 2-жж", Period(2019, 2)),
        ("1-жарым жылдык 2020", Period(2020, 1)),
        ("2-жарым 2019-ж.", Period(2019, 2)),
        ("2020-жылдын экинчи жарым жылдыгы", Period(2020, 2)),
        # ordinal endings, month ranges, six months, H1 in file names
        ("за 1-е полугодие 2020 года", Period(2020, 1)),
        ("по итогам 2-го полугодия 2019 г.", Period(2019, 2)),
        ("2020-жылдын 1-чи жарым жылдыгы", Period(2020, 1)),
        ("за январь-июнь 2020 года", Period(2020, 1)),
        ("июль–декабрь 2019 г.", Period(2019, 2)),
        ("2019-жылдын январь-июнь айлары", Period(2019, 1)),
        ("2020-жылдын 6 айы", Period(2020, 1)),
        ("за январь-март 2020 года", None),  # a quarter is no reporting period
        ("ММТМ_H1_2020", Period(2020, 1)),
        # a half-year whose year stands elsewhere in the same text
        ("Отчет за I полугодие. 2019 год", Period(2019, 1)),
        ("1-жарым жылдык үчүн маалымат, 2020-жыл", Period(2020, 1)),
        # a bare half-year without any year names no period; nor do two different years
        ("за первое полугодие", None),
        ("I полугодие; сведения за 2019 и 2020 годы", None),
        # the old forms still read
        ("БИМ_2019_2.xlsx", Period(2019, 2)),
        ("за 2019 год", Period(2019)),
        ("2018-2020-жылдар", None),
    ],
)
def test_period_forms(text, period):
    assert parse_period(text) == period


def test_compact_half_year_is_never_the_whole_year():
    # Before: "1пол" was not a half-year word, so these read as the year 2020 and then
    # "disagreed" with the content's half-year.
    for text in ("БИМ_1пол_2020", "1пол2020", "II пол. 2020", "2020 2пол"):
        assert parse_period(text).half is not None, text


@pytest.mark.parametrize(
    ("text", "plan_years", "when"),
    [
        ("от 06.07.20 г. № 01-5/112", SEED_PLAN, date(2020, 7, 6)),
        ("22.09.20.", SEED_PLAN, date(2020, 9, 22)),
        ("от 07.02.24 г. № 52", (2022, 2024), date(2024, 2, 7)),
        ("Исх. № 12/3 от 6.1.21", SEED_PLAN, date(2021, 1, 6)),
        ("от 07.02.24 г. № 52", None, date(2024, 2, 7)),  # 1924 is before any plan
        ("«06» июля 2020 г. № 12-345", SEED_PLAN, date(2020, 7, 6)),
        ("06/07/20 № 4", SEED_PLAN, date(2020, 7, 6)),
        # outside the plan's years ± 5: a two-digit year is not guessed
        ("от 06.07.30 г.", SEED_PLAN, None),
        ("от 06.07.95 г.", SEED_PLAN, None),
        ("от 06.07.95 г.", None, None),  # 1995 or 2095: no plan to decide
        ("от 06.07.95 г.", (1994, 1996), date(1995, 7, 6)),
        # not dates
        ("31.02.20", SEED_PLAN, None),
        ("п. 1.2.3", SEED_PLAN, None),
        ("№ 01-5/112", SEED_PLAN, None),
        # four-digit years as before
        ("03.07.2020 № 12-3/456", SEED_PLAN, date(2020, 7, 3)),
        ("2020-жылдын 3-июлу № 01-12/345", None, date(2020, 7, 3)),
    ],
)
def test_letter_dates(text, plan_years, when):
    assert parse_report_date(text, plan_years) == when


def test_century_is_read_only_when_one_fits():
    assert century_of(20, (2013, 2025)) == 2020
    assert century_of(30, (2013, 2025)) is None
    assert century_of(99, (1950, 2099)) is None  # 1999 and 2099


def test_deadlines_module_still_exports_the_readers():
    from normalizers import deadlines

    assert deadlines.parse_period is parse_period
    assert deadlines.parse_report_date is parse_report_date
    with pytest.raises(AttributeError):
        _ = deadlines.no_such_reader


def test_period_grammar_is_data_and_validated():
    labels = {
        period_grammar().grammar.matcher.vocab.strings[k]
        for k in period_grammar().grammar.matcher._patterns
    }
    assert {"HALF", "HALF_BARE", "DATE_SHORT", "DATE", "YEAR"} <= labels
    good = {"lexicon": {}, "roman": {}, "units": {}, "two_digit_years": {"margin": 5}}
    assert _validate_extension(good) is None
    assert "margin" in _validate_extension({**good, "two_digit_years": {"margin": 99}})
    assert "roman" in _validate_extension({**good, "roman": {"v": 5}})
    assert "units" in _validate_extension({k: v for k, v in good.items() if k != "units"})


FORMS = [
    "{h}пол{y}",
    "{h} пол. {y}",
    "{h}-пол_{y}",
    "{r} пол. {y}",
    "{r} полугодие {y} года",
    "{h}-ж.ж. {y}",
    "{y}-ж. {h}-ж.ж.",
    "{y}-жылдын {h}-жарым жылдыгы",
    "{h}-жарым жылдык {y}",
    "Отчет_{y}_{h}пол",
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(FORMS), st.integers(2010, 2035), st.sampled_from([1, 2]))
def test_every_half_year_form_reads_back(form, year, half):
    text = form.format(h=half, y=year, r="I" * half)
    assert parse_period(text) == Period(year, half), text


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 28), st.integers(1, 12), st.integers(2013, 2025))
def test_every_two_digit_date_in_the_window_reads_back(day, month, year):
    text = f"от {day:02d}.{month:02d}.{year % 100:02d} г. № 01-5/112"
    assert parse_report_date(text, SEED_PLAN) == date(year, month, day)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, SEED_PLAN]))
def test_never_raises(text, years):
    parse_period(text, years)
    parse_report_date(text, years)
