"""Read a decree of any supported form into its checked plan: `read_decree(path) -> Plan`.

The form is decided by the file's content, never its name: a PDF starts with `%PDF`, a Word
or OpenDocument file is a ZIP (a .doc an OLE2 file, RTF `{\\rtf`), a converter's
text/markdown decodes as UTF-8 without NUL bytes. Each form has one reader
producing a `DecreeText`; the registry below is the only place that lists them, so a new
form (OCR of a scan, say) adds one line. Assembly and QA are the same for every form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from core.errors import UnreadableDecree
from core.model import Plan
from extractors.decree_boxdraw import looks_like_boxdraw, read_decree_boxdraw
from extractors.decree_docx import looks_like_office, read_decree_office
from extractors.decree_html import looks_like_html_table, read_decree_html
from extractors.decree_markdown import looks_like_markdown_table, read_decree_markdown
from extractors.decree_qa import check_plan
from extractors.decree_rows import DecreeText
from extractors.decree_text import find_header, find_title, read_decree_text
from extractors.plan_assembly import assemble_plan, plan_years

SNIFF_BYTES = 64 * 1024  # enough of the file to tell its form
MAX_CONTROL_SHARE = 0.01  # more control characters than this: binary, not text

CanRead = Callable[[bytes], bool]
ReadDecree = Callable[[Path], DecreeText]


def looks_like_pdf(head: bytes) -> bool:
    return head.lstrip()[:5].startswith(b"%PDF")


CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\t\n\r\f")


def looks_like_text(head: bytes) -> bool:
    """UTF-8 text (a cut multi-byte character at the end is fine), no NULs, few controls."""
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:
            return False
        text = head[: err.start].decode("utf-8")
    # UTF-8 never uses bytes below 0x80 inside a multi-byte character: count them as bytes
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    return controls <= MAX_CONTROL_SHARE * max(len(text), 1)


def _head_text(head: bytes) -> str:
    return head.decode("utf-8", errors="ignore")


def looks_like_html(head: bytes) -> bool:
    return looks_like_text(head) and looks_like_html_table(head)


def looks_like_box_table(head: bytes) -> bool:
    return looks_like_text(head) and looks_like_boxdraw(_head_text(head))


def looks_like_markdown(head: bytes) -> bool:
    return looks_like_text(head) and looks_like_markdown_table(_head_text(head))


def _read_pdf(path: Path) -> DecreeText:
    from extractors.decree_pdf import SCANNED_REASON, read_decree_pdf  # pdfplumber on demand

    try:
        return read_decree_pdf(path)
    except UnreadableDecree as err:
        if err.reason != SCANNED_REASON:
            raise
    from extractors.decree_ocr import scanned_decree_rows  # a scan: OCR (or say how to enable)

    return scanned_decree_rows(path)


# (can this reader take these first bytes?, read the file) — first match wins; a text form
# whose reader finds no plan (a small pipe table in converter text, say) lets the next
# matching reader try, and the first reader's reason is the one reported.
DECREE_READERS: tuple[tuple[CanRead, ReadDecree], ...] = (
    (looks_like_pdf, _read_pdf),
    (looks_like_office, read_decree_office),  # .docx; .doc/.rtf/.odt via LibreOffice
    (looks_like_html, read_decree_html),  # <table>: before markdown, which may embed one
    (looks_like_box_table, read_decree_boxdraw),  # ┌──┬──┐ text
    (looks_like_markdown, read_decree_markdown),  # pipe tables
    (looks_like_text, read_decree_text),  # a converter's tab-separated text
)
TEXT_FORMS = (read_decree_html, read_decree_boxdraw, read_decree_markdown, read_decree_text)


def read_decree_rows(path: Path) -> DecreeText:
    """The decree's logical plan rows, by the reader its content calls for."""
    path = Path(path)
    if not path.exists():
        raise UnreadableDecree(path, "file not found")
    if not path.is_file():
        raise UnreadableDecree(path, "not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as err:
        raise UnreadableDecree(path, f"cannot read file ({err.strerror or err})") from err
    if not head.strip():
        raise UnreadableDecree(path, "empty file")
    first: UnreadableDecree | None = None
    for can_read, read in DECREE_READERS:
        if not can_read(head):
            continue
        if read not in TEXT_FORMS:
            return read(path)
        try:
            return read(path)
        except UnreadableDecree as err:
            first = first or err
    if first is not None:
        raise first
    raise UnreadableDecree(path, "neither a PDF nor UTF-8 text (binary content)")


def title_years(path: Path) -> tuple[int, int] | None:
    """The plan's years from the title above a converter-text table, read without the table
    (what `template` needs to refuse a period outside the plan at once). None when the file
    is another form or its header is not in the first bytes: then only `read_decree` knows."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return None
    text_form = next((read for can_read, read in DECREE_READERS if can_read(head)), None)
    if text_form is not read_decree_text:
        return None
    lines = head.decode("utf-8-sig", errors="ignore").splitlines()
    found = find_header(lines)
    return plan_years(find_title(lines, found[0])) if found else None


def read_decree(path: Path) -> Plan:
    """The decree's plan catalogue with its QA findings. Raises UnreadableDecree."""
    decree = read_decree_rows(path)
    plan = assemble_plan(decree)
    found = plan.findings + tuple(decree.findings) + check_plan(plan, decree)
    return replace(plan, findings=found)
