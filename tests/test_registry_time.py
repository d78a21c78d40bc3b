"""The agency registry over time: names resolve to the body valid on a date, merged bodies
are never confidently one part, obligations follow renames/mergers/splits, and a broken
registry file is rejected with its line and reason."""

from datetime import date
from pathlib import Path

import pytest

from core.errors import VocabularyError
from core.vocab import data_path
from normalizers.agencies import find_agencies, registry, resolve
from normalizers.agency_registry import REGISTRY_FILE, load_registry
from normalizers.agency_time import (
    current_name,
    display,
    merged_parts,
    obligations_of,
    predecessors_in,
    successor_chain,
    successors_on,
)

BEFORE = date(2019, 6, 1)  # the seed plan's time
MERGED = date(2021, 6, 1)  # Ministry of Health and Social Development; economy + finance
TODAY = date(2024, 6, 1)  # after the November 2021 split
SEED_CODES = frozenset({"ССМ", "ЭСӨМ", "ФМ", "ЭМ", "ММТМ", "БИМ", "Экотехинспекция"})


def one(text, on):
    (ref,) = resolve(text, on=on)
    return ref


# Every renamed / merged / split body, in both languages, on both sides of its change:
# (text, date, code, confident).
TIMELINE = [
    ("Министерство здравоохранения Кыргызской Республики", BEFORE, "ССМ", True),
    ("Саламаттык сактоо министрлиги", BEFORE, "ССМ", True),
    ("Министерство здравоохранения Кыргызской Республики", TODAY, "ССМ-2021", True),
    ("Кыргыз Республикасынын Саламаттык сактоо министрлиги", TODAY, "ССМ-2021", True),
    ("Министерство труда и социального развития", BEFORE, "ЭСӨМ", True),
    ("Эмгек жана социалдык өнүктүрүү министрлиги", BEFORE, "ЭСӨМ", True),
    ("Министерство труда, социального обеспечения и миграции КР", TODAY, "ЭСКММ", True),
    ("КР Эмгек, социалдык коргоо жана миграция министрлигинин", TODAY, "ЭСКММ", True),
    ("Эмгек, социалдык камсыздоо жана миграция министрлиги", TODAY, "ЭСКММ", True),
    ("Минтруда", BEFORE, "ЭСӨМ", True),
    ("Минтруда", TODAY, "ЭСКММ", True),
    ("Министерство финансов", BEFORE, "ФМ", True),
    ("Министерство финансов", TODAY, "ФМ-2021", True),
    ("Финансы министрлиги", TODAY, "ФМ-2021", True),
    ("Министерство экономики и коммерции", TODAY, "ЭКМ", True),
    ("Экономика жана коммерция министрлиги", TODAY, "ЭКМ", True),
    ("Министерство культуры, информации и туризма", BEFORE, "ММТМ", True),
    (
        "Маданият, маалымат, спорт жана жаштар саясаты министрлиги",
        date(2023, 1, 1),
        "ММСЖСМ",
        False,
    ),
    ("Министерство культуры, информации и молодежной политики", date(2025, 6, 1), "ММЖСМ", True),
    ("Министерство природных ресурсов, экологии и технического надзора", TODAY, "ЖРЭТКМ", True),
    ("Жаратылыш ресурстары, экология жана техникалык көзөмөл министрлиги", TODAY, "ЖРЭТКМ", True),
    (
        "полномочные представители Правительства КР в областях",
        BEFORE,
        "КРӨнүн облустардагы ЫУӨ",
        True,
    ),
    (
        "полномочный представитель Президента Кыргызской Республики в области",
        TODAY,
        "КРПнын облустардагы ЫУӨ",
        True,
    ),
    # an old name in a newer document moves to the successor, and a person checks it
    ("ЭСӨМ", TODAY, "ЭСКММ", False),
    ("Министерство экономики", TODAY, "ЭКМ", False),
    ("Экотехинспекция", TODAY, "ЖРЭТКМ", False),
]


@pytest.mark.parametrize(
    ("text", "on", "code", "sure"), TIMELINE, ids=[f"{t[0][:30]}@{t[1]}" for t in TIMELINE]
)
def test_names_resolve_to_the_body_valid_on_the_date(text, on, code, sure):
    ref = one(text, on)
    assert (ref.code, ref.confident) == (code, sure)


def test_merged_body_is_never_confidently_one_part():
    for text in (
        "Министерства здравоохранения и соцразвития",
        "Министерством здравоохранения и социального развития Кыргызской Республики",
        "Саламаттык сактоо жана социалдык өнүгүү министрлиги",
        "Минздравсоцразвития",
    ):
        for on in (None, MERGED):
            ref = one(text, on)
            assert ref.code not in ("ССМ", "ЭСӨМ") or not ref.confident, (text, on)
            if on == MERGED:
                assert ref.code == "СССӨМ" and ref.parts == ("ССМ", "ЭСӨМ"), text
    # the old part names in the merger months lead to the merged body, never confidently
    ref = one("Министерство здравоохранения", MERGED)
    assert (ref.code, ref.confident, ref.parts) == ("СССӨМ", False, ("ССМ", "ЭСӨМ"))
    econ = one("Министерство экономики и финансов", MERGED)
    assert (econ.code, econ.confident, econ.parts) == ("ЭФМ", False, ("ЭМ", "ФМ"))


def test_find_agencies_uses_the_letter_date():
    head = "Министерство здравоохранения Кыргызской Республики, исх. № 12"
    assert [r.code for r in find_agencies(head, on=BEFORE)] == ["ССМ"]
    assert [r.code for r in find_agencies(head, on=TODAY)] == ["ССМ-2021"]


def test_undated_reading_is_the_seed_plans():
    assert [(r.code, r.confident) for r in resolve("ССМ, ЭСӨМ, ФМ, ЭМ")] == [
        ("ССМ", True),
        ("ЭСӨМ", True),
        ("ФМ", True),
        ("ЭМ", True),
    ]


def test_successors_and_obligations():
    assert successors_on("ЭСӨМ", TODAY) == ("ЭСКММ",)
    assert successors_on("ССМ", TODAY) == ("ССМ-2021",)
    assert successors_on("ЭСӨМ", BEFORE) == ("ЭСӨМ",)
    assert successors_on("СССӨМ", TODAY) == ("ССМ-2021", "ЭСКММ")
    assert successor_chain("ЭСӨМ", TODAY) == ["ЭСӨМ", "СССӨМ", "ЭСКММ"]
    assert successor_chain("ЭМ", TODAY) == ["ЭМ", "ЭФМ", "ЭКМ"]
    # a report from the merged body counts for both plan bodies (credited entry by entry)
    assert predecessors_in("СССӨМ", SEED_CODES) == {"ССМ", "ЭСӨМ"}
    # a split body counts only for the part it took over
    assert predecessors_in("ЭСКММ", SEED_CODES) == {"ЭСӨМ"}
    assert predecessors_in("ССМ-2021", SEED_CODES) == {"ССМ"}
    assert predecessors_in("ФМ-2021", SEED_CODES) == {"ФМ"}
    assert predecessors_in("ЖРЭТКМ", SEED_CODES) == {"Экотехинспекция"}
    assert predecessors_in("БИМ", SEED_CODES) == {"БИМ"}
    assert obligations_of("ЭКМ") == {"ЭКМ", "ЭФМ", "ЭМ"}
    assert merged_parts("СССӨМ") == ("ССМ", "ЭСӨМ") and merged_parts("ЭСКММ") == ()


def test_todays_name_beside_the_plans():
    labour = "Кыргыз Республикасынын Эмгек, социалдык камсыздоо жана миграция министрлиги"
    assert current_name("ЭСӨМ", "ky", TODAY) == labour
    assert display("ЭСӨМ", "ky", TODAY) == f"ЭСӨМ → {labour}"
    assert (
        current_name("ЭМ", "ru", TODAY)
        == "Министерство экономики и коммерции Кыргызской Республики"
    )
    assert display("БИМ", "ru", TODAY) == registry().agencies["БИМ"].ru


def test_every_dated_fact_has_a_source():
    for agency in registry().agencies.values():
        if agency.valid_from or agency.valid_to or agency.predecessors:
            assert agency.sources, agency.code
        for link in agency.predecessors:
            assert link.source.startswith("http") or "№" in link.source, agency.code


# --------------------------------------------------------------------------- validation


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = data_path("normalizers", REGISTRY_FILE).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "agencies.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        (  # a successor that does not exist
            "{code: СССӨМ, kind: split, takes_over: [ССМ]",
            "{code: ЖОК, kind: split, takes_over: [ССМ]",
            "{code: ЖОК,",
            "predecessor 'ЖОК' is not in the registry",
        ),
        (  # dates out of order: the successor starts before its predecessor ended
            "    valid_from: 2021-11-06\n    predecessors:\n      - {code: СССӨМ, kind: split, takes_over: [ССМ]",
            "    valid_from: 2021-10-01\n    predecessors:\n      - {code: СССӨМ, kind: split, takes_over: [ССМ]",
            "{code: СССӨМ, kind: split, takes_over: [ССМ]",
            "not before 2021-10-01",
        ),
        (  # valid_to before valid_from
            "    valid_from: 2021-05-05\n    valid_to: 2021-10-12",
            "    valid_from: 2021-05-05\n    valid_to: 2020-10-12",
            "valid_to: 2020-10-12",
            "before valid_from",
        ),
        (  # one name, two bodies, overlapping validity
            "    ru: Министерство цифрового развития Кыргызской Республики",
            "    ru: Министерство образования и науки Кыргызской Республики",
            "  - code: СӨМ",
            "at the same time",
        ),
        (  # a link without its source
            '      - {code: КРӨнүн облустардагы ЫУӨ, kind: rename, source: "https://24.kg/english/201423_Plenipotentiary_Representatives_of_President_to_appear_in_regions_of_Kyrgyzstan/"}',
            "      - {code: КРӨнүн облустардагы ЫУӨ, kind: rename}",
            "{code: КРӨнүн облустардагы ЫУӨ, kind: rename}",
            "has no source",
        ),
        (  # an unknown link kind
            "{code: ЭФМ, kind: split, takes_over: [ЭМ]",
            "{code: ЭФМ, kind: divorce, takes_over: [ЭМ]",
            "kind: divorce",
            "link kind 'divorce'",
        ),
    ],
    ids=[
        "unknown-successor",
        "dates-out-of-order",
        "to-before-from",
        "name-overlap",
        "no-source",
        "bad-kind",
    ],
)
def test_broken_registry_is_rejected_with_line_and_reason(tmp_path, old, new, needle, reason):
    path = _broken(tmp_path, old, new)
    with pytest.raises(VocabularyError) as err:
        load_registry(path)
    message = str(err.value)
    assert str(path) in message and reason in message, message
    assert f"line {_line_of(path, needle)}:" in message, message


def test_the_shipped_registry_loads(tmp_path):
    path = tmp_path / "agencies.yaml"
    path.write_text(
        data_path("normalizers", REGISTRY_FILE).read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert set(load_registry(path).agencies) == set(registry().agencies)


def test_a_later_plan_reads_the_names_of_its_own_years():
    from core.model import Measure, Plan
    from normalizers.plan_normalize import names_date, normalize_plan

    cell = (
        "Министерство здравоохранения, Минтруда, соцобеспечения и миграции, МИД (по согласованию)"
    )
    measure = Measure(
        "nap-2022",
        "1.1",
        1,
        "1",
        1,
        "задача",
        "мера",
        deadline_raw="на 2022-2024 годы",
        responsible_raw=cell,
    )
    for years, codes in [
        ((2022, 2024), ["ССМ-2021", "ЭСКММ", "ТИМ"]),
        ((2018, 2020), ["ССМ", "ЭСКММ", "ТИМ"]),  # a 2018 plan: the health ministry of then
    ]:
        plan = Plan("nap", "title", "src", "sha", years, measures=(measure,))
        assert names_date(plan) == date(years[0], 1, 1)
        (done,) = normalize_plan(plan).measures
        assert [r.code for r in done.agencies] == codes
    assert (done.deadline.start, done.deadline.confident) == (
        date(2022, 1, 1),
        False,
    )  # outside 2018-2020
