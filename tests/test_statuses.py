"""Status words: each form in Kyrgyz and Russian, partial completion, negations with their
reasons, and the remarks column as a status source (normalizers.statuses)."""

import pytest

from core.model import Status
from normalizers.statuses import entry_status, status_of, statuses_in

IN_PROGRESS, NOT_STARTED, COMPLETED = Status.IN_PROGRESS, Status.NOT_STARTED, Status.COMPLETED


@pytest.mark.parametrize(
    ("ky", "ru", "status"),
    [
        # partial completion is work still going on, in either word order
        ("Жарым-жартылай аткарылды", "Выполнено частично", IN_PROGRESS),
        ("аткарылды жарым-жартылай", "частично выполнено", IN_PROGRESS),
        ("жарым жартылай ишке ашырылды", "Исполнено, частично", IN_PROGRESS),
        ("Жарым-жартылай өткөрүлдү", "проведены частично", IN_PROGRESS),
        ("толук аткарылган жок", "Не выполнено в полном объеме", IN_PROGRESS),
        ("толук эмес аткарылды", "выполнено не в полном объеме", IN_PROGRESS),
        ("Иштер улантылууда", "Работа продолжается", IN_PROGRESS),
        ("Аткарылды (жарым-жартылай)", "Выполнено (частично)", IN_PROGRESS),
        ("ишке ашырылып жатат", "в стадии реализации", IN_PROGRESS),
        # negations, with the reason around them
        (
            "Каржылоонун жоктугуна байланыштуу аткарылган жок",
            "Не исполнено в связи с отсутствием финансирования",
            NOT_STARTED,
        ),
        (
            "Иш-чара каржылоонун жоктугунан өткөрүлбөй калды",
            "В связи с отсутствием финансирования мероприятие не проводилось",
            NOT_STARTED,
        ),
        ("Семинар өткөрүлгөн жок, каражат бөлүнгөн эмес", "Семинар не проведен", NOT_STARTED),
        ("аткарылбай калды", "не реализовано из-за карантина", NOT_STARTED),
        ("ишке ашкан жок", "мероприятие не осуществлялось", NOT_STARTED),
        # done
        ("5 семинар өткөрүлдү", "Проведено 5 семинаров", COMPLETED),
        ("толугу менен аткарылды", "Выполнено в полном объеме", COMPLETED),
    ],
)
def test_status_words_in_both_languages(ky, ru, status):
    assert (status_of(ky), status_of(ru)) == (status, status)


def test_the_longest_reading_wins_over_the_words_inside_it():
    # "выполнено" alone is completed; "частично" turns it, "не" negates it
    assert statuses_in("Выполнено частично") == ["in_progress"]
    assert statuses_in("не выполнено") == ["not_started"]
    assert statuses_in("выполнено") == ["completed"]
    assert statuses_in("аткарылган жок") == ["not_started"]


@pytest.mark.parametrize(
    ("status_cell", "remarks", "progress", "status"),
    [
        ("", "Выполнено частично", "Разработан проект пособия", IN_PROGRESS),
        ("", "Эскертүү: жарым-жартылай аткарылды", "Долбоор даярдалды", IN_PROGRESS),
        ("", "Не исполнено в связи с отсутствием финансирования", "", NOT_STARTED),
        ("Выполнено", "частично", "", COMPLETED),  # a status column speaks first
        ("", "см. приложение", "Курстар өткөрүлдү", COMPLETED),  # remarks silent: the text
        ("", "", "", Status.UNCLEAR),
    ],
)
def test_remarks_column_is_a_status_source(status_cell, remarks, progress, status):
    assert entry_status(status_cell, progress, remarks) == status


def test_vocabulary_is_validated():
    from normalizers.statuses import _validate

    assert _validate({"statuses": {"done": {"phrases": ["x"]}}}).startswith("unknown statuses")
    assert "non-empty" in _validate({"statuses": {"completed": {"phrases": []}}})
    assert _validate({"statuses": {"completed": {"phrases": ["аткарылды"]}}}) is None
