"""Generate the demo inbox `samples/inbox/` (run by `make samples`).

The reports are what `make run` ingests, as of 2020-07-20: real agencies of the seed plan
reporting on their real measures over 2019-H1 … 2020-H1, in every format planwatch reads,
in Kyrgyz and Russian. `samples/README.md` says what each file demonstrates. The timeline
(reports are due by 5 July / 5 January):

    agency  2019-H1               2019-H2                        2020-H1
    БИМ     template, on time     Word letter, on time           template, late
    ССМ     Russian Word, late    Russian xlsx + correction      only a corrupt file
    ИИМ     —                     text PDF (Russian), late       Word, mixed statuses, on time
    ММТМ    CSV, on time          —                              plain text, late
    ЭМ      —                     Word (entry w/o number), on t. Russian template, on time
    ЮМ      annual 2019 report (Russian Word), late
    ӨКМ     never reports

Deterministic: fixed content, fixed zip/PDF metadata (the fixture writers), mtimes set to
noon UTC of each letter's date. Git does not keep mtimes, so every sample that should be
dated carries its date in the content.

Usage: python scripts/make_sample_inbox.py [OUT_DIR]   (default samples/inbox)
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.model import Period, Plan  # noqa: E402
from tests.fixtures.report_files import _freeze_zip as freeze_zip  # noqa: E402
from tests.fixtures.report_files import (  # noqa: E402
    write_csv_report,
    write_docx_report,
    write_pdf_report,
    write_text_report,
    write_xlsx_report,
)

DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
DEFAULT_OUT = ROOT / "samples/inbox"

NAMES = {
    "БИМ": "Кыргыз Республикасынын Билим берүү жана илим министрлиги",
    "ССМ": "Министерство здравоохранения Кыргызской Республики",
    "ИИМ": "Министерство внутренних дел Кыргызской Республики",
    "ИИМ-ky": "Кыргыз Республикасынын Ички иштер министрлиги",
    "ММТМ": "Кыргыз Республикасынын Маданият, маалымат жана туризм министрлиги",
    "ЭМ": "Кыргыз Республикасынын Экономика министрлиги",
    "ЮМ": "Министерство юстиции Кыргызской Республики",
}

Entry = tuple[str, str | None, str, str]  # (reference style, measure id, status word, text)


@dataclass(frozen=True)
class Sample:
    name: str
    write: Callable[..., Path]
    agency: str  # key of NAMES
    period_text: str
    date_text: str
    letter_date: date
    entries: list[Entry] = field(default_factory=list)
    lang: str = "ky"
    options: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- free-form letters

FREE_FORM: list[Sample] = [
    Sample(
        "БИМ отчет 2-жарым жылдык 2019.docx",
        write_docx_report,
        "БИМ",
        "2019-жылдын 2-жарым жылдыгы",
        "2020-жылдын 4-январы № 03-1/12",
        date(2020, 1, 4),
        [
            (
                "p",
                "4.2",
                "аткарылды",
                "Ишкерликтин негиздери боюнча 3 методикалык окуу куралы иштелип чыгып, "
                "2000 нуска басылып чыкты жана окуу жайларга таратылды.",
            ),
            (
                "p",
                "4.3",
                "аткарылууда",
                "Окутуучулар үчүн квалификацияны жогорулатуу курстарынын программасы даярдалды; "
                "курстар 2020-жылдын 1-жарымында өткөрүлөт.",
            ),
            (
                "p",
                "31.1",
                "аткарылды",
                "5 окуу методикалык комплексинин долбоору гендердик экспертизадан өттү.",
            ),
        ],
    ),
    Sample(
        "Минздрав отчет за 1 полугодие 2019.docx",
        write_docx_report,
        "ССМ",
        "за 1 полугодие 2019 года",
        "22.07.2019 № 01-12/345",
        date(2019, 7, 22),
        [
            (
                "meropriyatie",
                "8.1",
                "выполнено",
                "На базе 12 кабинетов для подростков открыты центры, дружественные молодежи.",
            ),
            (
                "meropriyatie",
                "22.3",
                "в стадии исполнения",
                "Разработан проект руководства по психологической помощи; обучено 40 медицинских "
                "работников.",
            ),
            (
                "meropriyatie",
                "25.1",
                "",
                "Мониторинг гендерных практик в системе здравоохранения в процессе.",
            ),
        ],
        lang="ru",
    ),
    Sample(
        "МЗ КР 2019_2.xlsx",
        write_xlsx_report,
        "ССМ",
        "за II полугодие 2019 г.",
        "от 3 января 2020 г. № 12-345",
        date(2020, 1, 3),
        [
            (
                "punkt",
                "25.1",
                "выполнено",
                "Мониторинг проведен в 4 областях, отчет направлен в МТСР.",
            ),
            (
                "punkt",
                "25.2",
                "в стадии исполнения",
                "Обучено 60 медицинских работников по итогам мониторинга.",
            ),
            ("punkt", "22.3", "выполнено", "Обучено 120 медицинских работников."),
        ],
        lang="ru",
    ),
    Sample(
        "МЗ КР 2019_2 (исправленный).xlsx",
        write_xlsx_report,
        "ССМ",
        "за II полугодие 2019 г.",
        "от 15 января 2020 г. № 12-401",
        date(2020, 1, 15),
        [
            (
                "punkt",
                "25.1",
                "выполнено",
                "Мониторинг проведен в 7 областях и г. Бишкек, отчет направлен в МТСР.",
            ),
            (
                "punkt",
                "25.2",
                "в стадии исполнения",
                "Обучено 85 медицинских работников по итогам мониторинга.",
            ),
            ("punkt", "22.3", "выполнено", "Обучено 120 медицинских работников."),
        ],
        lang="ru",
    ),
    Sample(
        "ИИМ_2019-2_отчет.pdf",
        write_pdf_report,
        "ИИМ",
        "за II полугодие 2019 г.",
        "06.01.2020 № 5/1-77",
        date(2020, 1, 6),
        [
            (
                "meropriyatie_no",
                "16.2",
                "исполнено",
                "Утверждена памятка для работы с пострадавшими от преступлений, обусловленных "
                "гендерной принадлежностью.",
            ),
            (
                "meropriyatie_no",
                "16.3",
                "в стадии исполнения",
                "Подготовлена программа обучения следователей; обучено 12 сотрудников из 25.",
            ),
            (
                "meropriyatie_no",
                "19.3",
                "не выполнено",
                "Вопросы по гендерному равенству в аттестацию сотрудников не включены.",
            ),
        ],
        lang="ru",
    ),
    Sample(
        'ИИМ "Гендер" 2020-1.docx',
        write_docx_report,
        "ИИМ-ky",
        "2020-жылдын 1-жарым жылдыгы",
        "03.07.2020 № 5/1-301",
        date(2020, 7, 3),
        [
            ("chara_suffix", "16.3", "аткарылды", "Тергөө кызматынын 27 кызматкери окутулду."),
            (
                "chara_suffix",
                "19.3",
                "аткарылган жок",
                "Аттестациянын суроолоруна өзгөртүүлөр киргизилген жок.",
            ),
            (
                "chara_suffix",
                "19.4",
                "аткарылууда",
                "Ички иштер органдарынын 320 кызматкери окутулду, окутуу улантылууда.",
            ),
        ],
    ),
    Sample(
        "ММТМ_2019_1.csv",
        write_csv_report,
        "ММТМ",
        "2019-жылдын 1-жарым жылдыгы",
        "02.07.2019 № 7-14/201",
        date(2019, 7, 2),
        [
            (
                "plain",
                "31.3",
                "аткарылды",
                "Гендердик-сезгич журналистиканын стандарттары боюнча окуу куралы иштелип чыкты.",
            ),
            (
                "plain",
                "30.3",
                "аткарылууда",
                "Мамлекеттик ЖМКлардын медиа-пландарына аялдардын саясий катышуусу боюнча "
                "темалар киргизилди.",
            ),
        ],
    ),
    Sample(
        "ММТМ маалымат 2020-H1.txt",
        write_text_report,
        "ММТМ",
        "2020-жылдын 1-жарым жылдыгы",
        "2020-жылдын 10-июлу № 7-14/388",
        date(2020, 7, 10),
        [
            (
                "chara_prefix",
                "31.4",
                "аткарылууда",
                "ЖМК кызматкерлери үчүн 2 тренинг өткөрүлдү, 45 журналист катышты.",
            ),
            (
                "chara_prefix",
                "30.3",
                "аткарылууда",
                "Мамлекеттик телеканалдарда 14 берүү көрсөтүлдү.",
            ),
            # A number the plan does not have (a typo for 31.4): linked to nothing, reviewed.
            (
                "chara_prefix",
                "41.3",
                "аткарылды",
                "Гендердик-сезгич журналистика боюнча облустарда 3 семинар өткөрүлдү.",
            ),
        ],
    ),
    Sample(
        "ЭМ_2019-2.docx",
        write_docx_report,
        "ЭМ",
        "2019-жылдын 2-жарым жылдыгы",
        "27.12.2019 № 17-2/930",
        date(2019, 12, 27),
        [
            (
                "chara_suffix",
                "35.1",
                "аткарылууда",
                "Жаңы кабыл алынуучу сектордук стратегиялардын долбоорлору гендердик "
                "экспертизадан өткөрүлүүдө.",
            ),
            # No measure number: the entry quotes the measure's own wording (filled below).
            ("none", None, "аткарылды", "@33.1"),
        ],
    ),
    Sample(
        "Минюст отчет за 2019 год.docx",
        write_docx_report,
        "ЮМ",
        "за 2019 год",
        "от 10 января 2020 г. № 04-2/17",
        date(2020, 1, 10),
        [
            (
                "p",
                "20.1",
                "выполнено",
                "Проведено 6 семинаров для юристов и адвокатов, обучено 150 человек.",
            ),
            (
                "p",
                "18.3",
                "в стадии исполнения",
                "Обучено 35 сотрудников органов юстиции по вопросам семейного насилия.",
            ),
        ],
        lang="ru",
    ),
]

# --------------------------------------------------------------------------- filled templates

# (file name, agency, period, letter date, language,
#  {measure id: (status word from the drop-down, progress, indicator value)})
TEMPLATES = [
    (
        "БИМ_2019-1.xlsx",
        "БИМ",
        Period(2019, 1),
        date(2019, 7, 3),
        "ky",
        {
            "4.1": ("аткарылууда", "Окуу модулдары 12 пилоттук мектепте сыналууда.", "12 мектеп"),
            "4.2": ("аткарылууда", "Методикалык окуу куралдарынын долбоору даярдалды.", ""),
            "4.3": ("аткарылган жок", "Курстар 2019-жылдын 2-жарымына пландалды.", "0"),
            "31.1": ("аткарылууда", "Окуу методикалык комплекстердин тизмеси бекитилди.", ""),
        },
    ),
    (
        "БИМ_2020-1.xlsx",
        "БИМ",
        Period(2020, 1),
        date(2020, 7, 14),
        "ky",
        {
            "4.1": ("аткарылды", "Окуу модулдары 40 мектепте киргизилди.", "40 мектеп"),
            "4.3": (
                "аткарылууда",
                "Курстар пандемиядан улам онлайн форматка которулду, 80 окутуучу катышууда.",
                "80",
            ),
        },
    ),
    (
        "ЭМ 2020 1-полугодие.xlsx",
        "ЭМ",
        Period(2020, 1),
        date(2020, 7, 1),
        "ru",
        {
            "33.1": (
                "выполнено",
                "Стандарты 18 государственных услуг прошли гендерный анализ.",
                "18",
            ),
            "35.1": ("в процессе", "Гендерная экспертиза отраслевых стратегий продолжается.", ""),
        },
    ),
]
TEMPLATE_LETTER_NO = {"БИМ": "03-1/215", "ЭМ": "17-2/544"}

DUPLICATE = ("Копия БИМ_2019-1.xlsx", "БИМ_2019-1.xlsx")  # same bytes, other name
CORRUPT = ("ССМ отчет 2020-1 (бузулган).docx", "Минздрав отчет за 1 полугодие 2019.docx")


def load_plan() -> Plan:
    from extractors.decree import read_decree
    from normalizers.plan_normalize import normalize_plan

    return normalize_plan(read_decree(DECREE))


def quote_measure(plan: Plan, measure_id: str) -> str:
    """An entry without a number paraphrases its measure: the text's first clause."""
    text = plan.measure(measure_id).text
    return text.split(";")[0].rstrip(".") + " боюнча иш жүргүзүлдү, стандарттар бекитилди."


def write_free_form(sample: Sample, plan: Plan, out: Path) -> Path:
    entries = [
        (style, mid, status, quote_measure(plan, text[1:]) if text.startswith("@") else text)
        for style, mid, status, text in sample.entries
    ]
    return sample.write(
        out / sample.name,
        NAMES[sample.agency],
        sample.period_text,
        sample.date_text,
        entries,
        sample.lang,
        **sample.options,
    )


def set_mtime(path: Path, day: date) -> None:
    stamp = datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def make_inbox(out: Path) -> list[Path]:
    plan = load_plan()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written: list[Path] = []
    for sample in FREE_FORM:
        path = write_free_form(sample, plan, out)
        set_mtime(path, sample.letter_date)
        written.append(path)
    for name, agency, period, day, lang, filled in TEMPLATES:
        path = write_filled_template(plan, agency, period, day, lang, filled, out / name)
        set_mtime(path, day)
        written.append(path)
    dup, original = DUPLICATE
    shutil.copy2(out / original, out / dup)
    written.append(out / dup)
    broken, source = CORRUPT
    (out / broken).write_bytes((out / source).read_bytes()[:1500])
    set_mtime(out / broken, date(2020, 7, 4))
    written.append(out / broken)
    return sorted(written)


def write_filled_template(
    plan: Plan,
    agency: str,
    period: Period,
    day: date,
    lang: str,
    filled: dict[str, tuple[str, str, str]],
    path: Path,
) -> Path:
    """`planwatch template` output as the agency sends it back: letter date and number in the
    date cell, status (a drop-down word), progress and indicator value on some rows."""
    from openpyxl import load_workbook

    from outputs.report_template import COLUMNS, HEADER_ROW, write_template

    write_template(plan, agency, period, path, lang)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(4, 2).value = f"{day:%d.%m.%Y} № {TEMPLATE_LETTER_NO[agency]}"
    col = {
        name: COLUMNS.index(name) + 1 for name in ("id", "status", "progress", "indicator_value")
    }
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        measure_id = str(ws.cell(row, col["id"]).value or "")
        if measure_id in filled:
            status, progress, value = filled[measure_id]
            ws.cell(row, col["status"]).value = status
            ws.cell(row, col["progress"]).value = progress
            ws.cell(row, col["indicator_value"]).value = value
    missing = set(filled) - {
        str(ws.cell(r, 1).value) for r in range(HEADER_ROW + 1, ws.max_row + 1)
    }
    if missing:
        raise SystemExit(f"{path.name}: measures not in {agency}'s template: {sorted(missing)}")
    wb.save(path)
    freeze_zip(path)
    return path


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    for path in make_inbox(out):
        print(path.relative_to(out.parent) if out.parent in path.parents else path)


if __name__ == "__main__":
    main(sys.argv)
