"""Line-end hyphens and no-hyphen breaks: the cell-line join every reader shares."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractors.hyphens import Vocabulary, join_lines, join_two, split_lines


def test_hyphen_attached_to_a_word_joins_without_space() -> None:
    assert (
        join_two("эмгектик жана үй-", "бүлөлүк милдеттер") == "эмгектик жана үй-бүлөлүк милдеттер"
    )
    assert join_two("2018-2020-", "жылдар ичинде") == "2018-2020-жылдар ичинде"
    assert (
        join_two("ЭСӨМ, ИИМ, Кыргыз-", "Түрк университети") == "ЭСӨМ, ИИМ, Кыргыз-Түрк университети"
    )


def test_free_standing_dash_keeps_its_spaces() -> None:
    assert join_two("төмөнкүлөр -", "балдар бакчалары") == "төмөнкүлөр - балдар бакчалары"
    assert join_lines(["аныктоо:", "-", "балдар"]) == "аныктоо: - балдар"
    assert join_two("аныктоо:", "- балдар") == "аныктоо: - балдар"


def test_hyphen_before_a_non_word_keeps_the_space() -> None:
    assert join_two("үй-", "(бүлөлүк)") == "үй- (бүлөлүк)"


def test_soft_hyphen_is_a_break_mark_only() -> None:
    assert join_two("Экотех\u00ad", "инспекция") == "Экотехинспекция"


def test_no_hyphen_break_rejoins_only_on_document_evidence() -> None:
    cells = [["Экотехинспекци", "я, ИИМ"], ["Экотехинспекция"], ["ишке", "ашыруу"]]
    vocab = Vocabulary.from_cells(cells)
    assert join_lines(cells[0], vocab) == "Экотехинспекция, ИИМ"
    assert join_lines(cells[2], vocab) == "ишке ашыруу"
    # without the whole word elsewhere there is no evidence: the lines keep their space
    alone = Vocabulary.from_cells([cells[0]])
    assert join_lines(cells[0], alone) == "Экотехинспекци я, ИИМ"


def test_a_fragment_that_is_a_word_itself_is_not_rejoined() -> None:
    # "бала" occurs whole elsewhere, so "бала" + "лар" is two words even though "балалар" exists
    cells = [["бала", "лар"], ["балалар бала үчүн"]]
    vocab = Vocabulary.from_cells(cells)
    assert join_lines(cells[0], vocab) == "бала лар"


def test_split_lines_drops_blank_lines() -> None:
    assert split_lines("үй-\n\n бүлөлүк \n") == ["үй-", " бүлөлүк "]


# --------------------------------------------------------------------------- properties

_letters = st.text(alphabet="абвгдеёжзийклмнңоөпрстуүфхцчшыэюяABC0123456789", min_size=1)
_compound = st.lists(_letters, min_size=1, max_size=3).map("-".join)
_token = st.one_of(_compound, _compound, _compound, st.just("-"), st.just("–"))


def _wrap(words: list[str], cuts: list[bool]) -> list[str]:
    """Typeset words: break at a space when the cut says so, and inside a compound word after
    its hyphen when the cut says so (the hyphen stays at the line end)."""
    lines, line = [], ""
    cut = iter(cuts * (len(words) * 4 + 1))
    for word in words:
        parts = word.split("-") if len(word) > 1 else [word]
        for i, part in enumerate(parts):
            piece = part + ("-" if i < len(parts) - 1 else "")
            if i == 0:
                if line and next(cut):
                    lines.append(line)
                    line = piece
                else:
                    line = f"{line} {piece}" if line else piece
            elif next(cut):
                lines.append(line)
                line = piece
            else:
                line += piece
    return [*lines, line]


@given(st.lists(_token, min_size=1, max_size=12), st.lists(st.booleans(), min_size=1))
def test_wrapping_at_any_width_joins_back_exactly(words: list[str], cuts: list[bool]) -> None:
    text = " ".join(words)
    assert join_lines(_wrap(words, cuts)) == text


@given(
    st.text(alphabet="абвгдежзийклмн", min_size=3, max_size=12),
    st.integers(min_value=1),
)
def test_no_hyphen_break_of_a_known_word_rejoins(word: str, at: int) -> None:
    cut = 1 + at % (len(word) - 1)
    broken = [f"ИИМ {word[:cut]}", word[cut:] + ","]
    vocab = Vocabulary.from_cells([broken, [f"{word} жана"]])
    assert join_lines(broken, vocab) == f"ИИМ {word},"


# --------------------------------------------------------------------------- document evidence


def test_a_hyphen_pair_the_document_writes_spaced_keeps_its_space() -> None:
    cells = [["тоо- суу", "тоо- суу боюнча"], ["баары тоо-", "суу менен"]]
    vocab = Vocabulary.from_cells(cells)
    assert join_lines(cells[1], vocab) == "баары тоо- суу менен"
    # written together inside lines as often: the rule (no space) stands
    mixed = Vocabulary.from_cells([*cells, ["тоо-суу", "тоо-суу"]])
    assert join_lines(cells[1], mixed) == "баары тоо-суу менен"


def test_one_spaced_sighting_is_no_style_of_the_document() -> None:
    # once spaced inside a line, once broken after the hyphen: the default (join) stands
    cells = [["кара- жашыл"], ["өңү кара-", "жашыл"]]
    assert join_lines(cells[1], Vocabulary.from_cells(cells)) == "өңү кара-жашыл"


def test_a_compound_written_together_elsewhere_joins() -> None:
    cells = [["ата-мекен ата-мекен"], ["биздин ата-", "мекен"]]
    assert join_lines(cells[1], Vocabulary.from_cells(cells)) == "биздин ата-мекен"


def test_a_no_hyphen_break_the_document_writes_apart_stays_apart() -> None:
    # `жолдор` occurs, but `жол дор` is how this document writes the pair (twice, inside lines)
    cells = [["жол", "дор"], ["жол дор, жол дор"], ["жолдор"]]
    assert join_lines(cells[0], Vocabulary.from_cells(cells)) == "жол дор"
    alone = Vocabulary.from_cells([cells[0], cells[2]])
    assert join_lines(cells[0], alone) == "жолдор"


def test_known_line_ends_override_the_rules() -> None:
    lines = ["Жер-", "суу", "чарба", "министрлиги"]
    # what a PDF producer showed: a space after `Жер-`, none after `суу`, unknown after `чарба`
    assert join_lines(lines, spaced=[True, False, None, None]) == "Жер- суучарба министрлиги"
    assert join_lines(["Жер\u00ad", "суу"], spaced=[False, None]) == "Жерсуу"


def test_closing_punctuation_after_a_full_one_word_line_rejoins() -> None:
    assert join_lines(["Белгилүүлүгү", ", жана"], full=[True, False]) == "Белгилүүлүгү, жана"
    assert join_lines(["Белгилүүлүгү", '" жана'], full=[True, False]) == 'Белгилүүлүгү" жана'
    # a line not measured full, or an opening quote with its word: the space stays
    assert join_lines(["Белгилүүлүгү", ", жана"]) == "Белгилүүлүгү , жана"
    assert join_lines(["сөз", '"Ала-Тоо"'], full=[True, False]) == 'сөз "Ала-Тоо"'


_part = st.text(alphabet="абгдежзклмнопрстуфхчшыэюяңөү0123456789", min_size=2, max_size=7)


@given(_part, _part, st.lists(_part, min_size=1, max_size=5), st.integers(1, 3))
def test_a_compound_seen_unbroken_is_rejoined_exactly(
    a: str, b: str, filler: list[str], times: int
) -> None:
    word = f"{a}-{b}"
    other = " ".join(filler)
    # together `times` times, spaced once (a slip): together is how the document writes it
    cells = [[f"{other} {word}"] * times, [f"{a}- {b}"], [f"{other} {a}-", f"{b} {other}"]]
    assert join_lines(cells[2], Vocabulary.from_cells(cells)) == f"{other} {word} {other}"


@given(_part, _part, st.lists(_part, min_size=1, max_size=5), st.integers(2, 4))
def test_a_spaced_range_seen_unbroken_keeps_its_space(
    a: str, b: str, filler: list[str], times: int
) -> None:
    other = " ".join(filler)
    seen = [f"{a}- {b} {other}"] * times  # inside lines, more often than it is broken
    broken = [f"{other} {a}-", f"{b}"]
    vocab = Vocabulary.from_cells([seen, broken])
    assert join_lines(broken, vocab) == f"{other} {a}- {b}"
