"""The overdue-measures workbook ЭСӨМ staff open every morning, built with openpyxl.

One module per sheet, one shared styling module (`style`); the words come from one table
(`outputs/data/labels.yaml`). `book` assembles the sheets and writes the file.
"""

from outputs.workbook.agency import agency_slug, build_agency_workbook
from outputs.workbook.book import WORKBOOK_NAME, build_workbook, write_workbook
from outputs.workbook.style import AMBER, GREEN, RED, put

__all__ = [
    "AMBER",
    "GREEN",
    "RED",
    "WORKBOOK_NAME",
    "agency_slug",
    "build_agency_workbook",
    "build_workbook",
    "put",
    "write_workbook",
]
