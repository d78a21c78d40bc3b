"""The reminder letter to one agency, `letter-<as_of>.<lang>.docx`, from a docx template.

The template (`outputs/data/letter_template.docx`, written by `build_template`) holds the
layout: letterhead, outgoing number and date, addressee, subject, body, the missing
half-year reports, a table of overdue measures, the signatory. docxtpl fills it; the words
come from the translation table, the letterhead, number and signatory from `LetterSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from core.settings import resolve_settings
from core.vocab import data_path
from outputs.agency_names import full_name
from outputs.compliance import ComplianceResult
from outputs.datasets import write_atomic
from outputs.labels import Labels

if TYPE_CHECKING:
    from outputs.workbook.agency import AgencyRows

TEMPLATE_FILE = "letter_template.docx"
LETTER_NAME = "letter-{as_of}.{lang}.docx"
NUMBER_BLANK = "________"  # filled in by hand when the letter is registered


@dataclass(frozen=True)
class LetterSettings:
    """The sender's side of the letter. Empty letterhead: the coordinator's full name."""

    letterhead: str = ""
    address: str = ""
    outgoing_number: str = NUMBER_BLANK
    signatory_title: str = ""
    signatory_name: str = ""

    @classmethod
    def resolve(cls, value: LetterSettings | Mapping[str, Any] | None) -> LetterSettings:
        return resolve_settings(cls, value, "letter")


def template_path() -> Path:
    return data_path("outputs", TEMPLATE_FILE)


def letter_context(
    result: ComplianceResult,
    labels: Labels,
    agency: str,
    settings: LetterSettings,
    rows: AgencyRows | None = None,
) -> dict[str, Any]:
    from outputs.workbook.agency import AGENCY_WORKBOOK_NAME, agency_rows

    rows = agency_rows(result)[agency] if rows is None else rows

    lang = labels.lang
    plan = "; ".join(t or pid for pid, t in result.plan_titles.items())
    overdue = [
        {
            "id": r["measure_id"],
            "text": r["measure_text"],
            "deadline": r["deadline_raw"],
            "status": labels.maybe("statuses", r["status"]),
        }
        for r in rows.overdue.to_dict("records")
    ]
    overdue += [
        {
            "id": r["measure_id"],
            "text": r["measure_text"],
            "deadline": r["deadline_raw"],
            "status": labels.periods(r["missing_periods"]),
        }
        for r in rows.unreported.to_dict("records")
    ]
    missing = [str(labels.period(p)) for p in rows.missing["period"]]
    attachment = AGENCY_WORKBOOK_NAME.format(as_of=result.as_of.isoformat(), lang=lang)
    return {
        "letterhead": settings.letterhead or full_name(result.coordinator, lang),
        "address": settings.address,
        "number_label": labels.text("letter_number"),
        "number": settings.outgoing_number,
        "date": labels.date(result.as_of),
        "to_label": labels.text("letter_to"),
        "agency": full_name(agency, lang),
        "subject": labels.text("letter_subject"),
        "body": labels.text("letter_body", date=labels.date(result.as_of), plan=plan),
        "missing_label": labels.text("letter_missing"),
        "missing": missing or [labels.text("letter_none")],
        "overdue_label": labels.text("letter_overdue"),
        "overdue": overdue,
        "headers": {
            k: labels.header(h)
            for k, h in (("id", "measure_id"), ("text", "measure_text"))
            + (("deadline", "deadline_raw"), ("status", "status"))
        },
        "attachment": labels.text("letter_attachment", file=attachment),
        "signatory_title": settings.signatory_title,
        "signatory_name": settings.signatory_name,
    }


def write_letter(
    result: ComplianceResult,
    labels: Labels,
    agency: str,
    folder: Path,
    settings: LetterSettings | Mapping[str, Any] | None = None,
    rows: AgencyRows | None = None,
) -> Path:
    from docxtpl import DocxTemplate

    context = letter_context(result, labels, agency, LetterSettings.resolve(settings), rows)
    doc = DocxTemplate(str(template_path()))
    doc.render(context, autoescape=True)  # report and decree text may hold < & >
    name = LETTER_NAME.format(as_of=result.as_of.isoformat(), lang=labels.lang)
    return write_atomic(Path(folder) / name, lambda tmp: doc.save(str(tmp)))


def build_template(path: Path) -> Path:
    """Write the letter template (run once when its layout changes; the file is kept in
    outputs/data/). Jinja tags: docxtpl's `{%p %}` paragraph and `{%tr %}` row loops."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run("{{ letterhead }}").bold = True
    doc.add_paragraph("{{ address }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ number_label }} {{ number }}\t\t\t{{ date }}")
    to = doc.add_paragraph("{{ to_label }} {{ agency }}")
    to.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    subject = doc.add_paragraph()
    subject.add_run("{{ subject }}").bold = True
    doc.add_paragraph("{{ body }}")
    doc.add_paragraph().add_run("{{ missing_label }}").bold = True
    doc.add_paragraph("{%p for period in missing %}")
    doc.add_paragraph("– {{ period }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph().add_run("{{ overdue_label }}").bold = True
    table = doc.add_table(rows=3, cols=4)
    table.style = "Table Grid"
    keys = ("id", "text", "deadline", "status")
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        cell.text = f"{{{{ headers.{key} }}}}"
    table.rows[1].cells[0].text = "{%tr for m in overdue %}"
    for cell, key in zip(table.rows[2].cells, keys, strict=True):
        cell.text = f"{{{{ m.{key} }}}}"
    end = table.add_row()
    end.cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("{{ attachment }}")
    doc.add_paragraph()
    doc.add_paragraph("{{ signatory_title }}\t\t\t{{ signatory_name }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
