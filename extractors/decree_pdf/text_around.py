"""The text around the plan table: its title above, the abbreviation list after."""

from __future__ import annotations

import re

from core.model import Provenance
from core.text import join_fragments
from extractors.decree_columns import header_vocab
from extractors.decree_pdf.model import PdfSettings, TextLine

FOLIO = re.compile(r"^\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*$")
_DASHES = (" - ", " – ", " — ")


def title_lines(lines: tuple[TextLine, ...]) -> str:
    """The plan's title: the last run of bold lines above the table (a plain note such as
    "(as amended by …)" may sit between it and the table); else the last paragraph."""
    if not lines:
        return ""
    run: list[str] = []
    for line in reversed(lines):
        if line.text and line.bold == line.text:
            run.insert(0, line.text)
        elif run:
            break
    if run:
        return join_fragments(*run)
    return join_fragments(*(line.text for line in _last_paragraph(lines)))


def _last_paragraph(lines: tuple[TextLine, ...]) -> list[TextLine]:
    paragraph = [lines[-1]]
    for line in reversed(lines[:-1]):
        gap = paragraph[0].top - line.top
        if gap > 2.0 * (lines[-1].top - lines[-2].top if len(lines) > 1 else gap):
            break
        paragraph.insert(0, line)
    return paragraph


def abbreviation_lines(
    lines: list[TextLine], source: str, settings: PdfSettings
) -> list[tuple[str, Provenance]]:
    """The abbreviation list after the table, one `abbr<TAB>- full name` line per entry.

    An entry starts with a bold abbreviation (or, in a list without bold, at the list's left
    edge under a hanging indent); its wrapped lines are joined back to one.
    """
    titles = header_vocab()["abbreviations_title"]
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if any(line.text.casefold().startswith(t) for t in titles)
        ),
        None,
    )
    if start is None:
        return []
    body = [line for line in lines[start + 1 :] if not FOLIO.match(line.text)]
    if not body:
        return []
    any_bold = any(line.bold for line in body)
    left = min(line.x0 for line in body)
    entries: list[tuple[list[TextLine], str]] = []
    for line in body:
        starts = bool(line.bold) if any_bold else line.x0 <= left + settings.indent_tolerance
        if starts or not entries:
            entries.append(([line], line.bold))
        else:
            entries[-1][0].append(line)
    result = []
    for entry_lines, bold in entries:
        text = join_fragments(*(line.text for line in entry_lines))
        abbr, rest = _split_entry(text, bold)
        pages = tuple(sorted({line.page for line in entry_lines}))
        result.append((f"{abbr}\t{rest}", Provenance(source, pages=pages)))
    return result


def _split_entry(text: str, bold: str) -> tuple[str, str]:
    if bold and text.startswith(bold):
        return bold, text[len(bold) :].strip()
    for dash in _DASHES:
        if dash in text:
            abbr, rest = text.split(dash, 1)
            return abbr.strip(), f"{dash.strip()} {rest.strip()}"
    return text, ""
