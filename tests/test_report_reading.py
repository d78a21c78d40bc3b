"""Reading reports: agency, period, date, entries, statuses and links, on generated reports
in every format against the seed decree's plan."""

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import (
    Document,
    LinkMethod,
    Measure,
    Outcome,
    Paragraph,
    Period,
    Plan,
    Status,
    Table,
)
from extractors.reports import read_document
from normalizers.measure_links import LINK_THRESHOLD, agency_measures, link_by_text
from normalizers.measure_refs import ref_at_start, ref_in_text
from normalizers.nlp import fold
from normalizers.report_reading import read_report
from normalizers.statuses import entry_status, status_of
from tests.fixtures.letters import LETTERS, write_letter
from tests.fixtures.report_files import (
    REF_STYLES,
    write_csv_report,
    write_docx_report,
    write_pdf_report,
    write_text_report,
    write_xlsx_report,
)

ROOT = Path(__file__).parents[1]
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
BIM = ("Кыргыз Республикасынын Билим берүү жана илим министрлиги", "БИМ")
MOH_RU = ("Министерство здравоохранения Кыргызской Республики", "МЗ")
PERIOD_KY = "2019-жылдын 1-жарым жылдыгы"
DATE_KY = "2020-жылдын 3-июлу № 01-12/345"
# Real measures: 4.3 is БИМ's alone; 26.2 names БИМ among others.
ENTRIES = [
    ("dot", "4.3", "аткарылды", "Окутуучулар үчүн 12 курс өткөрүлдү"),
    ("p", "26.2", "", "Тарбия иштеринин планына киргизилди, иш жүргүзүлүүдө"),
]


@pytest.fixture(scope="module")
def plan() -> Plan:
    try:
        from extractors.decree import read_decree
    except ImportError:  # the decree entry point lands separately; same reader underneath
        from extractors.decree_text import read_decree_text
        from extractors.plan_assembly import assemble_plan

        return assemble_plan(read_decree_text(DECREE))
    return read_decree(DECREE)


def reading(path: Path, plan: Plan | None, name: str | None = None):
    return read_report(read_document(path), plan, name or path.name)


# --------------------------------------------------------------------------- formats


WRITERS = [
    write_xlsx_report,
    write_docx_report,
    write_pdf_report,
    write_csv_report,
    write_text_report,
]


@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__name__)
def test_every_format_reads_to_the_same_entries(tmp_path, plan, writer):
    suffix = {"xlsx": ".xlsx", "docx": ".docx", "pdf": ".pdf", "csv": ".csv", "text": ".txt"}
    ext = suffix[writer.__name__.split("_")[1]]
    path = writer(tmp_path / f"report{ext}", BIM, PERIOD_KY, DATE_KY, ENTRIES, "ky")
    result = reading(path, plan)
    assert result.outcome == Outcome.ACCEPTED, result.reason
    assert (result.agency, result.period, result.language) == ("БИМ", Period(2019, 1), "ky")
    assert result.report_date == date(2020, 7, 3)
    got = [(e.measure_id, e.status, e.link_method, e.confidence) for e in result.entries]
    assert got == [
        ("4.3", Status.COMPLETED, LinkMethod.REFERENCE, 1.0),
        ("26.2", Status.IN_PROGRESS, LinkMethod.REFERENCE, 1.0),
    ]
    assert result.entries[0].progress_text.startswith("Окутуучулар үчүн 12 курс өткөрүлдү")
    assert all(e.location for e in result.entries)


def test_russian_report_with_russian_headers(tmp_path, plan):
    entries = [("meropriyatie_no", "16.2", "выполнено", "Разработана памятка для сотрудников ОВД")]
    path = write_docx_report(
        tmp_path / "МВД.docx",
        ("Министерство внутренних дел Кыргызской Республики", "МВД"),
        "за 1 полугодие 2019 года",
        "от 3 июля 2020 г. № 12-345",
        entries,
        "ru",
    )
    result = reading(path, plan)
    assert (result.agency, result.period, result.language) == ("ИИМ", Period(2019, 1), "ru")
    assert result.report_date == date(2020, 7, 3)
    assert [(e.measure_id, e.status) for e in result.entries] == [("16.2", Status.COMPLETED)]
    assert result.outcome == Outcome.ACCEPTED, result.reason


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize("style", [s for s in REF_STYLES if s != "none"])
def test_each_reference_style_links_by_number(tmp_path, plan, style):
    path = write_xlsx_report(
        tmp_path / "БИМ_2019-1.xlsx",
        BIM,
        PERIOD_KY,
        "",
        [(style, "4.3", "аткарылды", "Курстар өткөрүлдү")],
    )
    (entry,) = reading(path, plan).entries
    assert (entry.measure_id, entry.link_method, entry.confidence) == (
        "4.3",
        LinkMethod.REFERENCE,
        1.0,
    )


@pytest.mark.parametrize(
    ("text", "at_start", "anywhere"),
    [
        ("2.1", "2.1", None),
        ("2.1.", "2.1", None),
        ("п. 2.1", "2.1", "2.1"),
        ("пункт 2.1", "2.1", "2.1"),
        ("2.1-чара", "2.1", "2.1"),
        ("чара 2.1", "2.1", "2.1"),
        ("мероприятие 2.1", "2.1", "2.1"),
        ("Мероприятие № 2.1", "2.1", "2.1"),
        ("6.1.Семинар", "6.1", None),
        ("15.2- чара боюнча", "15.2", "15.2"),
        ("03.07.2020 № 12-3/456", None, None),
        ("1.2.3", None, None),
        ("2,5 млн сом", None, None),
        ("бөлүнгөн 2.5 млн сом", None, None),
        ("3", None, None),
        ("Иштер п.4.3 боюнча", None, "4.3"),
        # read past an ordinal, never the ordinal itself
        ("1. Мероприятие № 15.2 «Семинар»", "15.2", "15.2"),
        ("3) 9.2-чара боюнча: аткарылды", "9.2", "9.2"),
        ("2. По пункту 24.3 разработано", "24.3", "24.3"),
        ("1.1. Мероприятие № 15.2", "15.2", "15.2"),
        ("12. 5 семинаров", None, None),
    ],
)
def test_reference_forms(text, at_start, anywhere):
    assert (ref_at_start(text), ref_in_text(text)) == (at_start, anywhere)


def test_serial_number_column_is_not_a_measure_number(tmp_path, plan):
    # "№ п/п" holds 1, 2, 3; the measure number sits at the start of the measure cell.
    path = write_xlsx_report(
        tmp_path / "МЗ.xlsx",
        MOH_RU,
        "за 1 полугодие 2019 года",
        "",
        [("plain", "7.3", "выполнено", "Проведено обучение")],
        "ru",
    )
    (entry,) = reading(path, plan).entries
    assert entry.measure_id == "7.3"


def test_measure_number_not_in_plan_is_flagged(tmp_path, plan):
    entries = [*ENTRIES, ("chara_suffix", "99.9", "аткарылды", "Башка иш")]
    result = reading(write_xlsx_report(tmp_path / "r.xlsx", BIM, PERIOD_KY, DATE_KY, entries), plan)
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert "measure numbers not in the plan: 99.9" in result.reason
    flagged = result.entries[-1]
    assert (flagged.measure_id, flagged.confidence, flagged.review_reason) == (
        "99.9",
        0.0,
        "measure 99.9 is not in the plan",
    )


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("аткарылды", Status.COMPLETED),
        ("Толук аткарылды.", Status.COMPLETED),
        ("ишке ашырылды", Status.COMPLETED),
        ("аткарылууда", Status.IN_PROGRESS),
        ("Иш жүргүзүлүүдө", Status.IN_PROGRESS),
        ("аткарылган жок", Status.NOT_STARTED),
        ("Аткарылбады", Status.NOT_STARTED),
        ("аткарыла элек", Status.NOT_STARTED),
        ("выполнено", Status.COMPLETED),
        ("Исполнено", Status.COMPLETED),
        ("реализовано", Status.COMPLETED),
        ("в стадии исполнения", Status.IN_PROGRESS),
        ("в процессе", Status.IN_PROGRESS),
        ("исполняется", Status.IN_PROGRESS),
        ("не выполнено", Status.NOT_STARTED),
        ("Не исполнено", Status.NOT_STARTED),
        ("не начато", Status.NOT_STARTED),
        ("не выполнена", Status.NOT_STARTED),
        ("частично выполнено", Status.IN_PROGRESS),
        ("жургузулуудо", Status.IN_PROGRESS),  # typed on a Russian keyboard
        ("АТКАРЫЛДЫ", Status.COMPLETED),
        ("", Status.UNCLEAR),
        ("маалымат кийин берилет", Status.UNCLEAR),
        ("см. приложение", Status.UNCLEAR),
        ("выполнено; не начато", Status.UNCLEAR),  # contradicts itself
        (
            "Семинар өткөрүлдү, изилдөө аткарылууда",
            Status.IN_PROGRESS,
        ),  # partly done, partly going on
    ],
)
def test_status_words(text, status):
    assert status_of(text) == status


def test_negation_is_not_the_bare_verb():
    assert status_of("Иш-чара каржылоонун жоктугунан аткарылган жок") == Status.NOT_STARTED
    assert status_of("иш-чара аткарылган") == Status.COMPLETED


def test_status_column_wins_over_progress_text():
    assert entry_status("аткарылды", "иш жүргүзүлүүдө") == Status.COMPLETED
    assert entry_status("", "иш жүргүзүлүүдө") == Status.IN_PROGRESS
    assert entry_status("?", "не выполнено") == Status.NOT_STARTED


def test_report_mixing_statuses_without_status_column(tmp_path, plan):
    entries = [
        ("dot", "4.3", "", "Курстар өткөрүлдү, аткарылды"),
        ("dot", "26.2", "", "Каржылоо жок, аткарылган жок"),
        ("dot", "6.1", "", "Семинарлар уланууда"),
        ("dot", "1.1", "", "Маалымат кийинчерээк берилет"),
    ]
    path = write_docx_report(
        tmp_path / "r.docx", BIM, PERIOD_KY, DATE_KY, entries, status_column=False
    )
    assert [e.status for e in reading(path, plan).entries] == [
        "completed",
        "not_started",
        "in_progress",
        "unclear",
    ]


# --------------------------------------------------------------------------- fuzzy links


def test_entry_without_number_is_linked_by_its_text(tmp_path, plan):
    quoted = plan.measure("4.3").text
    path = write_xlsx_report(
        tmp_path / "БИМ.xlsx", BIM, PERIOD_KY, DATE_KY, [("none", None, "аткарылды", quoted)]
    )
    (entry,) = reading(path, plan).entries
    assert (entry.measure_id, entry.link_method) == ("4.3", LinkMethod.FUZZY)
    assert entry.confidence >= LINK_THRESHOLD / 100 and not entry.review_reason


def test_paraphrase_with_other_word_forms_still_links(plan):
    words = plan.measure("16.2").text.split()
    paraphrase = " ".join(
        w[:-2] if len(w) > 5 else w for w in words
    )  # every long word's ending changed
    assert link_by_text(paraphrase, plan, "ИИМ").measure_id == "16.2"


def test_text_below_threshold_stays_unlinked_and_goes_to_review(tmp_path, plan):
    vague = "Министрликтин сайтына маалымат жарыяланды жана жайылтылды"
    path = write_xlsx_report(
        tmp_path / "БИМ.xlsx",
        BIM,
        PERIOD_KY,
        DATE_KY,
        [*ENTRIES, ("none", None, "аткарылды", vague)],
    )
    result = reading(path, plan)
    unlinked = result.entries[-1]
    assert (unlinked.measure_id, unlinked.link_method, unlinked.confidence) == (
        None,
        LinkMethod.NONE,
        0.0,
    )
    assert re.search(r"best text match \S+ scores \d+ < 75", unlinked.review_reason)
    assert result.outcome == Outcome.NEEDS_REVIEW and "1 entry not linked" in result.reason


def test_identical_measure_texts_are_not_guessed(plan):
    # 1.1 and 1.2 share their text word for word: no text match can choose.
    link = link_by_text(plan.measure("1.1").text, plan, "БИМ")
    assert link.measure_id is None and "1.1 and 1.2" in link.reason


def test_agency_own_measures_are_tried_first():
    def measure(mid, text, responsible):
        return Measure("p", mid, 1, None, None, "", text, responsible_raw=responsible)

    text = "Гендердик статистика боюнча окуу курстарын өткөрүү жана маалымат базасын түзүү"
    plan = Plan(
        "p",
        "t",
        "s",
        "",
        None,
        measures=(
            measure("1.1", text + " облустарда", "ССМ"),
            measure("1.2", text + " шаарларда", "БИМ"),
        ),
    )
    assert [m.measure_id for m in agency_measures(plan, "БИМ")] == ["1.2"]
    assert link_by_text(text, plan, "БИМ").measure_id == "1.2"
    assert link_by_text(text, plan, "ССМ").measure_id == "1.1"
    assert link_by_text(text, plan, None).measure_id is None  # a coin toss without the agency


UNRELATED = [
    "Семинарлар өткөрүлдү жана отчет даярдалды",
    "Иш-чаралар пландын негизинде аткарылды, маалымат тиркелет",
    "Проведены семинары для сотрудников, подготовлен отчет",
    "Мониторинг жүргүзүлдү, жыйынтыктары боюнча сунуштар берилди",
    "Республиканын бардык облустарында тегерек столдор уюштурулду",
    "Министрликтин сайтына маалымат жарыяланды",
]


def test_threshold_is_justified_on_the_seed_plan(plan):
    """The evidence behind LINK_THRESHOLD: over all 117 measures, quoted, shortened, thinned
    and word-form-damaged texts never link to a wrong measure, and link right in >= 85% of
    cases (the rest are measures whose text another measure contains: left for review);
    unrelated progress sentences all score below the threshold."""
    wrong, right, total = [], 0, 0
    for m in plan.measures:
        words = m.text.split()
        variants = [
            m.text,
            " ".join(words[: max(4, int(len(words) * 0.6))]),
            " ".join(w for i, w in enumerate(words) if i % 3 != 2),
            " ".join(w[:-2] if len(w) > 5 else w for w in words),
        ]
        for text in variants:
            total += 1
            link = link_by_text(text, plan, None)
            if link.measure_id and fold(plan.measure(link.measure_id).text) != fold(m.text):
                wrong.append((m.measure_id, link.measure_id))
            right += bool(link.measure_id)
    assert wrong == []
    assert right >= 0.85 * total
    scores = [link_by_text(u, plan, None).score for u in UNRELATED]
    assert max(scores) < LINK_THRESHOLD
    assert min(s for s in scores) >= 0  # scored, not skipped
    assert link_by_text("Аткарылды", plan, None).reason.startswith(
        "no measure number and too little text"
    )


def test_no_plan_keeps_numbers_and_flags_the_rest(tmp_path):
    path = write_xlsx_report(
        tmp_path / "r.xlsx",
        BIM,
        PERIOD_KY,
        DATE_KY,
        [*ENTRIES, ("none", None, "аткарылды", "Окуу курстары өткөрүлдү")],
    )
    result = reading(path, None)
    assert [e.measure_id for e in result.entries] == ["4.3", "26.2", None]
    assert result.outcome == Outcome.NEEDS_REVIEW


# --------------------------------------------------------------------------- agency


def test_agency_from_file_name_when_content_has_none(tmp_path, plan):
    path = tmp_path / "МОН отчет 1 полугодие 2019.csv"
    path.write_text(
        "№;Мероприятие;Информация об исполнении;Статус\n1;4.3;Проведено 12 курсов;выполнено\n",
        encoding="utf-8",
    )
    result = reading(path, plan)
    assert (result.agency, result.period, result.outcome) == (
        "БИМ",
        Period(2019, 1),
        Outcome.ACCEPTED,
    )


def test_content_and_file_name_disagreeing_goes_to_review(tmp_path, plan):
    path = write_docx_report(tmp_path / "ССМ_2019-1.docx", BIM, PERIOD_KY, DATE_KY, ENTRIES)
    result = reading(path, plan)
    assert result.outcome == Outcome.NEEDS_REVIEW and result.agency is None
    assert "agency in the content (БИМ) and in the file name (ССМ) disagree" in result.reason
    assert set(result.agency_candidates) == {"БИМ", "ССМ"}


def test_file_name_agreeing_with_content(tmp_path, plan):
    path = write_docx_report(tmp_path / "БИМ_2019-1.docx", BIM, PERIOD_KY, DATE_KY, ENTRIES)
    assert reading(path, plan).agency == "БИМ"


def test_two_agencies_in_the_letter_and_no_way_to_decide(tmp_path, plan):
    agencies = (BIM[0], "Саламаттык сактоо министрлиги")  # letter head БИМ, signature ССМ
    path = write_docx_report(tmp_path / "report.docx", agencies, PERIOD_KY, DATE_KY, ENTRIES)
    result = reading(path, plan)
    assert result.outcome == Outcome.NEEDS_REVIEW and result.agency is None
    assert (
        "several candidate agencies" in result.reason
        and "БИМ" in result.reason
        and "ССМ" in result.reason
    )
    # ... the file name breaks the tie
    named = path.rename(tmp_path / "ССМ 2019-1.docx")
    assert reading(named, plan).agency == "ССМ"


def test_addressee_is_not_the_sender(tmp_path, plan):
    # The letter is addressed to ЭСӨМ; only БИМ sends it.
    path = write_docx_report(tmp_path / "r.docx", BIM, PERIOD_KY, DATE_KY, ENTRIES)
    result = reading(path, plan)
    assert result.agency == "БИМ" and "ЭСӨМ" not in result.agency_candidates


def test_executor_line_names_the_agency(tmp_path, plan):
    path = write_csv_report(tmp_path / "report.csv", "ССМ", PERIOD_KY, "", ENTRIES)
    assert reading(path, plan).agency == "ССМ"


def test_unknown_agency_is_rejected(tmp_path, plan):
    path = write_xlsx_report(
        tmp_path / "report 2019-1.xlsx", "Белгисиз мекеме", PERIOD_KY, "", ENTRIES
    )
    result = reading(path, plan)
    assert result.outcome == Outcome.REJECTED
    assert result.reason == "no known agency named in the content or the file name"


# --------------------------------------------------------------------------- period and date


@pytest.mark.parametrize(
    ("period_text", "lang", "period"),
    [
        ("2019-жылдын 1-жарым жылдыгы", "ky", Period(2019, 1)),
        ("2019-жылдын 1-жарым жылдыгы үчүн", "ky", Period(2019, 1)),
        ("2019-жылдын 2-жарым жылдыгы", "ky", Period(2019, 2)),
        ("за 1 полугодие 2019 года", "ru", Period(2019, 1)),
        ("за II полугодие 2019 г.", "ru", Period(2019, 2)),
        ("за 2019 год", "ru", Period(2019)),
        ("2020-жыл үчүн", "ky", Period(2020)),
    ],
)
def test_period_from_the_title(tmp_path, plan, period_text, lang, period):
    path = write_docx_report(tmp_path / "report.docx", BIM, period_text, DATE_KY, ENTRIES, lang)
    assert reading(path, plan).period == period


@pytest.mark.parametrize(
    ("name", "period"),
    [
        ("БИМ_2019-H1.csv", Period(2019, 1)),
        ("БИМ_2019_2.csv", Period(2019, 2)),
        ("БИМ 2019-1.csv", Period(2019, 1)),
        ("БИМ за 2019 год.csv", Period(2019)),
    ],
)
def test_period_from_the_file_name(tmp_path, plan, name, period):
    path = tmp_path / name
    path.write_text("№;Чара;Аткарылышы\n1;4.3;Курстар өткөрүлдү, аткарылды\n", encoding="utf-8")
    assert reading(path, plan).period == period


def test_period_disagreement_and_absence(tmp_path, plan):
    path = write_docx_report(tmp_path / "БИМ_2019-2.docx", BIM, PERIOD_KY, DATE_KY, ENTRIES)
    result = reading(path, plan)
    assert result.outcome == Outcome.NEEDS_REVIEW
    assert (
        "period in the content (2019-H1) and in the file name (2019-H2) disagree" in result.reason
    )
    bare = tmp_path / "БИМ.csv"
    bare.write_text("№;Чара;Аткарылышы\n1;4.3;Курстар өткөрүлдү\n", encoding="utf-8")
    result = reading(bare, plan)
    assert result.outcome == Outcome.REJECTED and "no reporting period" in result.reason


@pytest.mark.parametrize(
    "date_text",
    ["2020-жылдын 3-июлу № 01-12/345", "03.07.2020 № 12-3/456", "от 3 июля 2020 г. № 12-345"],
)
def test_report_date_forms(tmp_path, plan, date_text):
    path = write_docx_report(tmp_path / "r.docx", BIM, PERIOD_KY, date_text, ENTRIES)
    assert reading(path, plan).report_date == date(2020, 7, 3)


def test_no_date_in_content_leaves_it_to_the_ledger(tmp_path, plan):
    path = write_docx_report(tmp_path / "r.docx", BIM, PERIOD_KY, "", ENTRIES)
    assert reading(path, plan).report_date is None


# --------------------------------------------------------------------------- no entries


def test_letter_without_table_or_numbered_entries_is_rejected(tmp_path, plan):
    path = write_text_report(tmp_path / "БИМ 2019-1.txt", BIM, PERIOD_KY, DATE_KY, [])
    result = reading(path, plan)
    assert result.outcome == Outcome.REJECTED
    assert result.reason == "no report table or numbered entries found"


def test_workbook_without_recognisable_header_is_rejected(tmp_path, plan):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Маалымат", "Сан"])
    wb.active.append(["Окутуучулар", 12])
    wb.save(tmp_path / "БИМ_2019-1.xlsx")
    result = reading(tmp_path / "БИМ_2019-1.xlsx", plan)
    assert result.outcome == Outcome.REJECTED and "no report table" in result.reason


def test_numbered_paragraphs_are_entries(tmp_path, plan):
    entries = [
        ("chara_suffix", "4.3", "аткарылды", "Курстар өткөрүлдү."),
        ("meropriyatie_no", "26.2", "", "Иш жүргүзүлүүдө."),
    ]
    result = reading(write_text_report(tmp_path / "r.txt", BIM, PERIOD_KY, DATE_KY, entries), plan)
    assert [(e.measure_id, e.status, e.location) for e in result.entries] == [
        ("4.3", "completed", "line 8"),
        ("26.2", "in_progress", "line 10"),
    ]
    assert result.entries[0].progress_text == "Курстар өткөрүлдү. Абалы: аткарылды."


def test_pdf_table_across_pages_keeps_every_entry(tmp_path, plan):
    ids = [m.measure_id for m in plan.measures[:45]]
    entries = [
        ("plain", mid, "аткарылды", "Иш-чара өткөрүлдү, маалымат тиркелет. " * 3) for mid in ids
    ]
    result = reading(
        write_pdf_report(tmp_path / "long.pdf", BIM, PERIOD_KY, DATE_KY, entries), plan
    )
    assert [e.measure_id for e in result.entries] == ids
    assert result.entries[-1].location.startswith("page 2") or result.entries[
        -1
    ].location.startswith("page 3")


def test_period_split_over_pdf_title_lines(tmp_path, plan):
    # The title wraps as "... на 2018-2020 годы за II" / "полугодие 2019 г.": the second line
    # alone reads as the year 2019; the half-year across the break must win.
    mvd = ("Министерство внутренних дел Кыргызской Республики",) * 2
    entries = [("plain", "16.2", "выполнено", "Памятка разработана")]
    path = write_pdf_report(
        tmp_path / "ИИМ_2019-2.pdf",
        mvd,
        "за II полугодие 2019 г.",
        "06.01.2020 № 5/1-77",
        entries,
        "ru",
    )
    lines = [p.text for p in read_document(path).paragraphs]
    assert any(line.endswith("полугодие 2019 г.") and "II" not in line for line in lines)
    result = reading(path, plan)
    assert (result.period, result.outcome) == (Period(2019, 2), Outcome.ACCEPTED), result.reason


_PIECES = st.sampled_from(
    [
        "№",
        "Чара",
        "Аткарылышы",
        "Абалы",
        "Статус",
        "ID",
        "2.1",
        "п. 4.3",
        "99.9",
        "аткарылды",
        "не выполнено",
        "БИМ",
        "МЗ",
        "Аткаруучу:",
        "2019-жылдын 1-жарым жылдыгы",
        "за 2019 год",
        "03.07.2020 № 1",
        "",
        " ",
        "—",
    ]
)
_CELL = st.one_of(_PIECES, st.text(max_size=40), st.lists(_PIECES, max_size=4).map(" ".join))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    paragraphs=st.lists(_CELL, max_size=6),
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=5).map(tuple), max_size=8),
    name=st.one_of(st.just("БИМ_2019-1.xlsx"), st.text(max_size=30)),
)
def test_any_document_gives_a_reading_with_a_reason(plan, paragraphs, rows, name):
    doc = Document(
        "x",
        paragraphs=tuple(Paragraph(p, f"para {i}") for i, p in enumerate(paragraphs)),
        tables=(Table(tuple(rows), "table 1"),) if rows else (),
    )
    result = read_report(doc, plan, name)
    assert result.outcome in set(Outcome)
    assert (result.outcome == Outcome.ACCEPTED) == (result.reason == "")
    assert all(e.status in set(Status) for e in result.entries)


def test_settings_are_validated():
    from normalizers.measure_links import LinkSettings
    from normalizers.report_reading import ReadingSettings

    with pytest.raises(ValueError):
        LinkSettings(threshold=0)
    with pytest.raises(ValueError):
        ReadingSettings(head_lines=0)
    strict = ReadingSettings(link=LinkSettings(threshold=100))
    assert strict.link.threshold == 100


@pytest.mark.parametrize(
    ("intro", "lang"),
    [
        (
            "Эмгек жана социалдык өнүктүрүү министрлигинин 2020-жылдын 10-июнундагы № 01-5/123 катына ылайык маалымат жөнөтөбүз.",
            "ky",
        ),
        (
            "Во исполнение письма Министерства труда и социального развития от 10.06.2020 № 01-5/123 направляем информацию.",
            "ru",
        ),
    ],
)
def test_a_reply_to_the_ministrys_request_does_not_name_the_sender(tmp_path, plan, intro, lang):
    path = write_docx_report(
        tmp_path / "r.docx", BIM, PERIOD_KY, DATE_KY, ENTRIES, lang, intro=intro
    )
    result = reading(path, plan)
    assert (result.agency, result.outcome) == ("БИМ", Outcome.ACCEPTED), result.reason


def test_row_split_across_a_page_break_is_one_entry(plan):
    header = ("№", "Чара", "Аткарылышы", "Абалы")
    page1 = Table(
        (
            header,
            ("1", "4.3", "Окутуучулар үчүн курстар", "аткарылды"),
            ("2", "26.2", "Тарбия иштеринин планына", ""),
        ),
        "page 1 table 1",
        ("page 1 row 1", "page 1 row 2", "page 1 row 3"),
    )
    page2 = Table(
        (
            ("", "", "киргизилди, иш жүргүзүлүүдө", ""),
            ("3", "6.1", "Семинарлар өткөрүлдү", "аткарылды"),
        ),
        "page 2 table 1",
        ("page 2 row 1", "page 2 row 2"),
    )
    doc = Document(
        "r.pdf",
        paragraphs=(Paragraph(BIM[0], "page 1 line 1"), Paragraph(PERIOD_KY, "page 1 line 2")),
        tables=(page1, page2),
    )
    result = read_report(doc, plan, "r.pdf")
    assert [(e.measure_id, e.status, e.location) for e in result.entries] == [
        ("4.3", "completed", "page 1 row 2"),
        ("26.2", "in_progress", "page 1 row 3"),
        ("6.1", "completed", "page 2 row 2"),
    ]
    assert result.entries[1].progress_text == "Тарбия иштеринин планына киргизилди, иш жүргүзүлүүдө"
    assert result.outcome == Outcome.ACCEPTED, result.reason


# --------------------------------------------------------------------------- numbered letters


@pytest.mark.parametrize(
    ("text", "ref", "rest", "ordinal"),
    [
        ("1. Мероприятие № 15.2 «Семинар». Проведено", "15.2", "«Семинар». Проведено", "arabic"),
        ("2. По пункту 24.3 разработано пособие", "24.3", "разработано пособие", "arabic"),
        ("3) 9.2-чара боюнча: семинар өткөрүлдү", "9.2", "семинар өткөрүлдү", "arabic"),
        ("4)9.2-пункт боюнча аткарылды", "9.2", "аткарылды", "arabic"),
        ("б) пп. 6.1 выполнено", "6.1", "выполнено", "letter"),
        ("• 4.3. Курстар өткөрүлдү", "4.3", "Курстар өткөрүлдү", "bullet"),
        ("- мероприятию № 7.3: проведено", "7.3", "проведено", "dash"),
        ("– 26.2-чарага ылайык иштер", "26.2", "ылайык иштер", "dash"),
        ("IV. п.16.2 исполнено", "16.2", "исполнено", "roman"),
        ("1.1. Мероприятие № 15.2", "15.2", "", ""),  # a second ordinal before the reference
        (
            "5. В рамках мероприятия 7.3 проведено",
            "7.3",
            "В рамках мероприятия 7.3 проведено",
            "arabic",
        ),
        ("6. Проведено 12 семинаров", None, "Проведено 12 семинаров", "arabic"),
        # an ordinal is never a measure number; a bare number stays one
        ("1.2 Проведено", "1.2", "Проведено", ""),
        ("12. 5 семинаров", None, "5 семинаров", "arabic"),
        ("06.07.20 г. № 01-5/112", None, None, None),
        ("Министерство образования", None, None, None),
    ],
)
def test_numbered_paragraph_openings(text, ref, rest, ordinal):
    from normalizers.measure_refs import entry_start

    start = entry_start(text)
    if rest is None:
        assert start is None
    else:
        assert (start.ref, start.rest, start.ordinal) == (ref, rest, ordinal)


@pytest.mark.parametrize("letter", LETTERS, ids=lambda letter: letter.name)
def test_letters_as_agencies_write_them(tmp_path, plan, letter):
    """Numbered points in every style, statuses on the point's line or the next, typed
    periods and dates, the addressee in the dative — read exactly (tests/fixtures/letters)."""
    result = reading(write_letter(letter, tmp_path), plan)
    assert result.outcome == Outcome.ACCEPTED, result.reason
    assert (result.agency, result.period, result.report_date, result.language) == (
        letter.agency,
        letter.period,
        letter.report_date,
        letter.lang,
    )
    assert [(e.measure_id, e.status) for e in result.entries] == list(letter.entries)
    assert all(e.link_method == LinkMethod.REFERENCE for e in result.entries)


def test_a_numbered_point_runs_on_until_the_next_or_the_signature(plan):
    lines = [
        BIM[0],
        "Информация за 1 полугодие 2020 года",
        "1. Мероприятие № 4.3 «Курсы».",
        "Проведено 12 курсов.",
        "а) в Бишкеке;",
        "2. Общие замечания",  # a numbered point without a measure number: not part of 4.3
        "3) 26.2-чара боюнча: Аткарылды.",
        "Министр А. Асанов",
    ]
    doc = Document(
        "r.txt", paragraphs=tuple(Paragraph(t, f"line {i}") for i, t in enumerate(lines))
    )
    result = read_report(doc, plan, "r.txt")
    assert [(e.measure_id, e.status, e.progress_text) for e in result.entries] == [
        ("4.3", "completed", "«Курсы». Проведено 12 курсов. а) в Бишкеке;"),
        ("26.2", "completed", "Аткарылды."),
    ]
    assert result.outcome == Outcome.ACCEPTED, result.reason


def test_numbered_points_without_measure_numbers_are_linked_by_text(plan):
    quoted = plan.measure("4.3").text
    doc = Document(
        "r.txt",
        paragraphs=(
            Paragraph(BIM[0], "line 1"),
            Paragraph(PERIOD_KY, "line 2"),
            Paragraph(f"1. {quoted}. Аткарылды.", "line 3"),
        ),
    )
    (entry,) = read_report(doc, plan, "r.txt").entries
    assert (entry.measure_id, entry.link_method, entry.status) == (
        "4.3",
        LinkMethod.FUZZY,
        "completed",
    )


# --------------------------------------------------------------------------- addressee


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Министерству труда и социального развития Кыргызской Республики", ""),
        ("Кыргыз Республикасынын Эмгек жана социалдык өнүгүү министрлигине", ""),
        ("Министру здравоохранения КР", ""),
        ("Кому: Министерство труда и социального развития", ""),
        ("Кимге: ЭСӨМ", ""),
        ("Мэрии города Бишкек", ""),  # -и is dative only where a name opens the line
        ("Государственному агентству охраны окружающей среды", ""),
        ("МВД КР     В Государственную службу по контролю наркотиков", "МВД КР"),
        ("ИИМ во Министерство труда", "ИИМ"),
        ("Минтруду КР", ""),
        ("Эмгек жана социалдык өнүгүү министрлигине (ЭСӨМ)", ""),
        ("БИМ          ЭСӨМге", "БИМ"),  # an abbreviation in the Kyrgyz dative
        ("В Министерстве образования проведены семинары", None),  # "in", not "to"
        ("Министерсгву труда и соцразвития КР", ""),  # OCR: one letter wrong in the stem
        # OCR of a two-column letter head: the sender stays, the addressee goes
        (
            "Министерство образования и науки КР    Министерству труда КР",
            "Министерство образования и науки КР",
        ),
        (
            "Министерству труда КР Министерство образования и науки КР",
            "Министерство образования и науки КР",
        ),
        (
            "Кыргыз Республикасынын Ички иштер министрлиги Эмгек жана социалдык өнүгүү министрлигине",
            "Кыргыз Республикасынын Ички иштер министрлиги",
        ),
        # senders and other lines are left alone; "…-га караштуу" (under) is part of a name
        ("Кыргыз Республикасынын Өкмөтүнө караштуу Мамлекеттик каттоо кызматы", None),
        ("Министрлер Кабинетине караштуу Улуттук статистика комитети", None),
        ("Кыргыз Республикасынын Билим берүү жана илим министрлиги", None),
        ("Министерство внутренних дел Кыргызской Республики", None),
        ("Письмо мэрии города Бишкек", None),
        ("Государственная служба по контролю наркотиков", None),
        ("Министрликтин сайтына маалымат жарыяланды", None),
    ],
)
def test_the_addressee_is_cut_out_by_its_grammar(line, kept):
    from normalizers.addressee import without_addressee

    assert without_addressee(line) == (line if kept is None else kept)


def test_a_bare_recipient_label_takes_the_next_line():
    from normalizers.addressee import sender_lines

    lines = ["Министерство внутренних дел КР", "Кому:", "Министерство труда и социального развития"]
    assert sender_lines(lines) == ["Министерство внутренних дел КР"]


@pytest.mark.parametrize(
    ("addressee", "lang"),
    [
        ("Министерству труда и социального развития", "ru"),
        ("Министерству труда и социального развития        Министерство внутренних дел КР", "ru"),
        ("Кыргыз Республикасынын Эмгек жана социалдык өнүгүү министрлигине", "ky"),
    ],
)
def test_the_addressee_is_never_a_second_sender(plan, addressee, lang):
    # Before, "Министерству труда …" in the letter head made ЭСӨМ a second candidate.
    sender = "Министерство внутренних дел Кыргызской Республики"
    doc = Document(
        "scan.jpg",
        paragraphs=tuple(
            Paragraph(t, f"line {i}")
            for i, t in enumerate(
                [sender, addressee, "за II полугодие 2019 г.", "1. п. 16.2 Выполнено."]
            )
        ),
    )
    result = read_report(doc, plan, "scan.jpg")
    assert (result.agency, result.outcome) == ("ИИМ", Outcome.ACCEPTED), result.reason
    assert "ЭСӨМ" not in result.agency_candidates


def test_table_cells_that_open_with_an_ordinal(plan):
    # The measure cell numbers its rows itself: "1.1." and "2." are ordinals, not measures.
    rows = (
        ("№", "Мероприятие", "Информация об исполнении", "Примечание"),
        ("1", "1.1. Мероприятие № 15.2 «Законы»", "Подготовлены поправки", "Выполнено частично"),
        ("2", "2. По пункту 24.3", "Работает горячая линия", "Исполнено"),
    )
    doc = Document(
        "r.docx",
        paragraphs=(
            Paragraph("Министерство внутренних дел Кыргызской Республики", "para 1"),
            Paragraph("за 1 полугодие 2020 года", "para 2"),
        ),
        tables=(Table(rows, "table 1"),),
    )
    result = read_report(doc, plan, "r.docx")
    assert [(e.measure_id, e.status) for e in result.entries] == [
        ("15.2", "in_progress"),
        ("24.3", "completed"),
    ]
    assert result.outcome == Outcome.ACCEPTED, result.reason


def test_sub_points_sections_and_unnumbered_points_of_a_letter(plan):
    lines = [
        "Министерство внутренних дел Кыргызской Республики",
        "за II полугодие 2019 года",
        "I. Информация о ходе исполнения плана",  # a section: no entry
        "1. По пункту 16.2:",
        "1) разработана памятка для сотрудников;",  # "1)" under "1.": a sub-point of 16.2
        "2) памятка роздана в 7 областях.",
        "Выполнено.",
        "2. Проведено обучение по вопросам насилия для участковых инспекторов.",
        "II. Прочее",
        "3. п. 24.3 Выполнено частично.",
        "Министр А. Асанов",
    ]
    doc = Document(
        "r.txt", paragraphs=tuple(Paragraph(t, f"line {i}") for i, t in enumerate(lines))
    )
    result = read_report(doc, plan, "r.txt")
    got = [(e.measure_id, e.status, e.location) for e in result.entries]
    assert got[0] == ("16.2", "completed", "line 3") and got[2] == ("24.3", "in_progress", "line 9")
    assert result.entries[0].progress_text.endswith("в 7 областях. Выполнено.")
    # the point without a measure number is kept: linked by its text or sent to review
    assert result.entries[1].location == "line 7"
    assert result.entries[1].measure_id or result.outcome == Outcome.NEEDS_REVIEW


def test_half_year_named_beside_a_date_is_the_period(plan):
    lines = [
        "Министерство внутренних дел Кыргызской Республики",
        "№ 5/1-77 от 06.07.20 г.",
        "Отчет за 1 полугодие 2020 года по состоянию на 01.07.2020",
        "1. п. 16.2 Выполнено.",
    ]
    doc = Document(
        "r.txt", paragraphs=tuple(Paragraph(t, f"line {i}") for i, t in enumerate(lines))
    )
    result = read_report(doc, plan, "r.txt")
    assert (result.period, result.report_date) == (Period(2020, 1), date(2020, 7, 6))
    assert result.outcome == Outcome.ACCEPTED, result.reason
