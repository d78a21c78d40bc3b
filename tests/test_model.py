from datetime import date

import pytest

from core.model import Period, Provenance, measure_sort_key


def test_period_halves_and_bounds():
    h2 = Period(2019, 2)
    assert (h2.start, h2.end) == (date(2019, 7, 1), date(2019, 12, 31))
    assert Period(2019).halves() == (Period(2019, 1), Period(2019, 2))
    assert str(h2) == "2019-H2" and Period.parse("2019-H2") == h2
    assert Period.parse("2020") == Period(2020)
    with pytest.raises(ValueError):
        Period.parse("2019-H3")
    with pytest.raises(ValueError):
        Period(2019, 3)


def test_measure_ids_sort_numerically():
    ids = ["10.1", "9.2", "1.10", "1.2"]
    assert sorted(ids, key=measure_sort_key) == ["1.2", "1.10", "9.2", "10.1"]


def test_provenance_merge_and_str():
    a = Provenance("d.txt", lines=(12,))
    b = Provenance("d.txt", lines=(14, 13))
    assert str(a.merge(b)) == "d.txt:L12-14"
    assert str(Provenance("d.pdf", pages=(3,))) == "d.pdf:p3"
