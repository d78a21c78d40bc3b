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
