"""A pre-filled report workbook for one agency and period (`planwatch template`).

One row per measure the agency must carry out (id, text, deadline, indicator), empty columns
for status (a drop-down of Kyrgyz and Russian status words), progress and indicator value,
and the agency and period in the header. A very hidden sheet (`_planwatch`) records plan id,
agency, period and template version, so the xlsx reader recognises a filled template and the
report reading links rows by the id column (`link_method="template"`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.escape import for_xlsx, put_xlsx_text
from core.model import Measure, Period, Plan, measure_sort_key
from core.once import once
from core.vocab import load_vocab

TEMPLATE_VERSION = "1"
TEMPLATE_KIND = "report-template"  # read back by normalizers.report_reading
MARKER_SHEET = "_planwatch"  # read back by extractors.report_xlsx
COLUMNS = ("id", "text", "deadline", "indicator", "status", "progress", "indicator_value")
WIDTHS = {
    "id": 8,
    "text": 45,
    "deadline": 18,
    "indicator": 25,
    "status": 18,
    "progress": 40,
    "indicator_value": 20,
}
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells the agency fills in
HEADER_ROW = 7
LANGS = ("ky", "ru")


def _validate(data: Any) -> str | None:
    if not isinstance(data, dict) or set(data.get("languages", [])) != set(LANGS):
        return f"'languages' must be {LANGS}"
    missing = set(COLUMNS) - set(data.get("columns", {}))
    if missing:
        return f"columns missing: {sorted(missing)}"
    for key in (
        "sheet",
        "title",
        "agency",
        "period",
        "date",
        "period_half",
        "period_year",
        "instructions",
    ):
        if not all(data.get(key, {}).get(lang) for lang in LANGS):
            return f"{key!r} needs a text for each of {LANGS}"
    return None


@once
def labels() -> dict[str, Any]:
    return load_vocab("outputs", "report_template.yaml", _validate)


def period_text(period: Period, lang: str) -> str:
    """'2019-жылдын 1-жарым жылдыгы' / '1 полугодие 2019 года' / '2019-жыл' / '2019 год'."""
    key = "period_year" if period.half is None else "period_half"
    return labels()[key][lang].format(year=period.year, half=period.half)


def header_cell(column: str, lang: str) -> str:
    words = labels()["columns"][column]
    first, second = words[lang], words["ru" if lang == "ky" else "ky"]
    return first if first == second else f"{first} / {second}"


def agency_measures(plan: Plan, agency: str) -> list[Measure]:
    """The measures the agency is obligated for, in plan order (normalizes the plan if needed)."""
    if not any(m.agencies for m in plan.measures):
        from normalizers.plan_normalize import normalize_plan

        plan = normalize_plan(plan)
    return sorted(
        (m for m in plan.measures if agency in m.obligated_codes),
        key=lambda m: measure_sort_key(m.measure_id),
    )


def agency_name(agency: str, lang: str) -> str:
    from normalizers.agencies import registry

    body = registry().agencies.get(agency)
    name = getattr(body, lang, "") if body else ""
    return f"{agency} — {name}" if name else agency


def write_template(plan: Plan, agency: str, period: Period, path: Path, lang: str = "ky") -> Path:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    measures = agency_measures(plan, agency)
    words = labels()
    wb = Workbook()
    ws = wb.active
    ws.title = words["sheet"][lang]
    rows = [
        [words["title"][lang]],
        [f"{words['agency'][lang]}: {agency_name(agency, lang)}"],
        [f"{words['period'][lang]}: {period_text(period, lang)}"],
        [f"{words['date'][lang]}:", ""],
        [words["instructions"][lang]],
        [],
        [header_cell(c, lang) for c in COLUMNS],
    ]
    rows += [[m.measure_id, m.text, m.deadline_raw, m.indicator, "", "", ""] for m in measures]
    for row in rows:
        _append_text(ws, row)
    _style(ws, len(measures))
    _status_dropdown(ws, len(measures))
    _print_setup(ws, plan, period, lang)
    _marker(wb, plan, agency, period, lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _append_text(ws, values: list[Any]) -> None:
    """One row of text cells, inert: decree text that starts with "=" (or +, -, @) is shown
    as written, never run as a formula (core.escape is the one xlsx sanitiser)."""
    ws.append([for_xlsx(v).text if isinstance(v, str) else v for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            put_xlsx_text(cell, cell.value)


def _style(ws, n_rows: int) -> None:
    ws["A1"].font = Font(bold=True, size=12)
    ws["B4"].fill = INPUT_FILL
    for i, column in enumerate(COLUMNS, start=1):
        letter = ws.cell(HEADER_ROW, i).column_letter
        ws.column_dimensions[letter].width = WIDTHS[column]
        ws.cell(HEADER_ROW, i).font = Font(bold=True)
        for row in range(HEADER_ROW + 1, HEADER_ROW + 1 + n_rows):
            cell = ws.cell(row, i)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column == "id":
                cell.number_format = "@"  # keep "1.10" text, not the number 1.1
            if column in ("status", "progress", "indicator_value"):
                cell.fill = INPUT_FILL
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)


def _print_setup(ws, plan: Plan, period: Period, lang: str) -> None:
    """Landscape A4, one page wide (the columns the agency fills in beside the measure
    text), the header row on every page, plan, page and period in the footer."""
    from outputs.labels import load_labels
    from outputs.workbook.style import fit_row_heights, page_setup

    header = f"{HEADER_ROW}:{HEADER_ROW}"
    pages = load_labels(lang).text("page_footer")
    page_setup(ws, header, plan.title or plan.plan_id, pages, period_text(period, lang))
    fit_row_heights(ws, HEADER_ROW + 1)


def _status_dropdown(ws, n_rows: int) -> None:
    choices = [w[lang] for w in labels()["status_words"].values() for lang in LANGS]
    validation = DataValidation(
        type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
    )
    validation.error = validation.prompt = " / ".join(choices)
    column = ws.cell(HEADER_ROW, COLUMNS.index("status") + 1).column_letter
    if n_rows:
        validation.add(f"{column}{HEADER_ROW + 1}:{column}{HEADER_ROW + n_rows}")
    ws.add_data_validation(validation)


def _marker(wb: Workbook, plan: Plan, agency: str, period: Period, lang: str) -> None:
    marker = wb.create_sheet(MARKER_SHEET)
    for key, value in (
        ("template", TEMPLATE_KIND),
        ("version", TEMPLATE_VERSION),
        ("plan_id", plan.plan_id),
        ("agency", agency),
        ("period", str(period)),
        ("lang", lang),
    ):
        marker.append([key, value])
    marker.sheet_state = "veryHidden"
