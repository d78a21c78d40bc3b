"""Excel workbooks (.xlsx, .xlsm, templates): every visible sheet becomes one table of its
non-empty rows.

Read with openpyxl in read-only, values-only mode (formulas give their cached values); the
container is checked for zip bombs first. A macro-enabled workbook is read the same way (its
macros never run) and says so in `metadata["macros"]`. A planwatch template carries a very hidden sheet of
key/value rows (`TEMPLATE_SHEET`); it is returned as `Document.metadata`, not as a table.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from core.errors import UnreadableReport
from core.model import Document, Table
from core.text import clean_cell
from extractors.office_sniff import ole_kind
from extractors.report_settings import ReaderSettings, over_limit
from extractors.report_table import rows_to_table
from extractors.report_zip import OLE_MAGIC, ZIP_MAGIC, check_zip, has_known_magic, zip_names

SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
TEMPLATE_SHEET = "_planwatch"  # the marker sheet outputs.report_template writes
METADATA_PREFIX = "planwatch."
MACRO_PART = "xl/vbaProject.bin"
ROW_SCAN_CHUNK = 1024 * 1024
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
ROW_TAG_MAX = 64  # a row tag with a namespace prefix fits; chunks overlap by this much


def can_read(path: Path, head: bytes) -> bool:
    if head.startswith(OLE_MAGIC):  # an encrypted xlsx; an .xls is report_legacy's
        return path.suffix.lower() in SUFFIXES and ole_kind(path).name == "encrypted-ooxml"
    if not head.startswith(ZIP_MAGIC):
        # damaged beyond recognition: read() says so
        return path.suffix.lower() in SUFFIXES and not has_known_magic(head)
    names = zip_names(path)
    if names is None:  # damaged archive: trust the suffix
        return path.suffix.lower() in SUFFIXES
    if "xl/workbook.xml" in names:
        return True
    # a damaged workbook without its main part, unless it is a Word document with a stray xl/
    return any(n.startswith("xl/") for n in names) and "word/document.xml" not in names


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    with path.open("rb") as handle:
        encrypted = handle.read(8).startswith(OLE_MAGIC)
    if encrypted:
        raise UnreadableReport(
            path, "password-protected (encrypted) workbook — save it without a password"
        )
    check_zip(path, settings)
    macros = MACRO_PART in (zip_names(path) or ())
    try:
        document = _read_workbook(path, settings)
    except UnreadableReport:
        raise
    except Exception as err:  # any parser failure on untrusted bytes means "corrupt"
        raise UnreadableReport(path, f"corrupt workbook ({type(err).__name__}: {err})") from err
    if not macros:
        return document
    # Only the cell XML was parsed; the macros were neither run nor kept.
    return replace(document, metadata={**document.metadata, "macros": "macro-enabled workbook"})


def _read_workbook(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    count_rows(path, settings)  # in here: a damaged sheet raises, and that means "corrupt"
    # A file object, not the path: openpyxl refuses paths whose suffix is not .xlsx/.xlsm.
    with path.open("rb") as handle:
        return _read_open_workbook(path, handle, settings)


def _read_open_workbook(path: Path, handle, settings: ReaderSettings) -> Document:
    wb = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    budget = _RowBudget(path, settings.max_rows)
    try:
        tables: list[Table] = []
        metadata: dict[str, str] = {}
        for ws in wb.worksheets:
            if ws.title == TEMPLATE_SHEET:
                metadata.update(_marker_of(ws, budget))
            elif ws.sheet_state == "visible":
                table = _sheet_to_table(ws, budget)
                if table.rows:
                    tables.append(table)
        metadata.update(_properties_of(wb))
    finally:
        wb.close()
    return Document(source=path.name, tables=tuple(tables), metadata=metadata)


def count_rows(path: Path, settings: ReaderSettings) -> int:
    """The `<row>` elements of every worksheet, counted on the inflated XML bytes, refused
    as soon as they pass `max_rows` and before openpyxl parses anything (openpyxl walks a
    whole sheet just to learn that it declares no size: 117 s for a million rows)."""
    total = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as member:
                tail = b""
                while chunk := member.read(ROW_SCAN_CHUNK):
                    data = tail + chunk
                    cut = max(len(data) - ROW_TAG_MAX, 0)  # tags starting later: next round
                    total += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
                    tail = data[cut:]
                    if total > settings.max_rows:  # no need to count them all
                        what = "too many rows (counting stopped at)"
                        raise over_limit(path, what, total, settings.max_rows, "max_rows")
                total += len(_ROW_TAG.findall(tail))
            if total > settings.max_rows:
                raise over_limit(path, "too many rows", total, settings.max_rows, "max_rows")
    return total


class _RowBudget:
    """`max_rows` for the whole workbook while streaming (after `count_rows`, a second
    guard); each sheet's declared size is ignored, so a declared XFD1048576 costs nothing."""

    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.limit, self.used = path, limit, 0

    def rows(self, ws, **options):
        ws.reset_dimensions()  # rows as wide as their cells, not as a declared XFD column
        for values in ws.iter_rows(values_only=True, **options):
            self.used += 1
            if self.used > self.limit:
                what = "too many rows (all sheets; reading stopped at)"
                raise over_limit(self.path, what, self.used, self.limit, "max_rows")
            yield values


def _sheet_to_table(ws, budget: _RowBudget) -> Table:
    rows = ([cell_to_text(v) for v in values] for values in budget.rows(ws))
    return rows_to_table(rows, f"sheet {ws.title}", f"sheet {ws.title}!row ")


def _marker_of(ws, budget: _RowBudget) -> dict[str, str]:
    marker: dict[str, str] = {}
    for values in budget.rows(ws, max_col=2):
        if values and values[0]:
            value = values[1] if len(values) > 1 else ""
            marker[METADATA_PREFIX + str(values[0])] = cell_to_text(value)
    return marker


def _properties_of(wb) -> dict[str, str]:
    props = wb.properties
    found = {"title": props.title, "creator": props.creator, "created": props.created}
    return {k: cell_to_text(v) for k, v in found.items() if v}


def cell_to_text(value: object) -> str:
    """A cell value as the text a person sees: dates as dd.mm.yyyy, 2.0 as 2, 2.1 as 2.1."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%d.%m.%Y")
            if value.time() == time()
            else value.strftime("%d.%m.%Y %H:%M")
        )
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_cell(str(value))
