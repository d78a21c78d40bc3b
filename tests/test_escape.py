"""core.escape: each sink's escaping, checked by the program that reads that sink."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from markdown_it import MarkdownIt

from core.escape import for_csv, for_markdown, for_terminal, for_xlsx, put_xlsx_text

HOSTILE = [
    '=HYPERLINK("http://evil","click")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "![i](JavaScript :alert(1))",
    "a|b\r\n| c | d |",
    "\x1b]0;pwned\x07\x1b[31mred\x1b[0m\x9b2J",
    "name\udcce\udcf2.docx",
    "abc\u202eexe.docx",
    "plain Кыргыз тексти",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_cells_hold_the_text_never_a_formula(tmp_path, text):
    wb = openpyxl.Workbook()
    put_xlsx_text(wb.active.cell(1, 1), text)
    wb.save(tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx").active.cell(1, 1)
    assert cell.data_type == "s"
    assert cell.value == for_xlsx(text).text
    formula_like = cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.quotePrefix == formula_like  # Excel keeps it text when a person edits it


def test_xlsx_drops_what_xml_cannot_carry():
    assert for_xlsx("a\x00b\x1bc\udcced").text == "abcd"
    assert for_xlsx("=1").quote and not for_xlsx("1=1").quote


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cells_are_inert_and_round_trip(text):
    buffer = io.StringIO()
    csv.writer(buffer).writerow([for_csv(text), "next"])
    (cell, after) = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert after == "next"
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.lstrip("'") == text.lstrip("'") or cell == "'" + text


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cell_renders_as_one_cell_of_plain_text(text):
    table = f"| file | reason |\n|---|---|\n| {for_markdown(text)} | tail |\n"
    html = MarkdownIt("commonmark").enable("table").render(table)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "href" not in html  # no link was made, whatever the scheme
    assert html.count("<tr>") == 2 and html.count("<td>") == 2
    assert "<td>tail</td>" in html


def test_markdown_keeps_ordinary_words_readable():
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(f"| a |\n|---|\n| {for_markdown('Отчет_2024 (1).docx')} |\n")
    )
    assert "<td>Отчет_2024 (1).docx</td>" in html


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_text_has_no_control_characters(text):
    shown = for_terminal(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in shown)
    assert "\u202e" not in shown
    shown.encode("utf-8")  # no lone surrogates left


def test_terminal_shows_undecodable_bytes_and_keeps_the_words():
    assert for_terminal("\x1b[31mred\x1b[0m file") == "red file"
    assert for_terminal("x\udcce.docx") == "x\\xce.docx"


def test_template_writes_hostile_decree_text_as_inert_text(tmp_path, seed_plan):
    from dataclasses import replace

    from core.model import Period
    from outputs.report_template import HEADER_ROW, agency_measures, write_template

    (first, *_) = agency_measures(seed_plan, "БИМ")
    hostile = '=HYPERLINK("http://evil","click")\x0b'
    measures = tuple(
        replace(m, text=hostile, indicator="+1-2") if m.measure_id == first.measure_id else m
        for m in seed_plan.measures
    )
    path = write_template(
        replace(seed_plan, measures=measures), "БИМ", Period(2019, 2), tmp_path / "t.xlsx"
    )
    ws = openpyxl.load_workbook(path).worksheets[0]
    row = next(r for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[0].value == first.measure_id)
    text, indicator = row[1], row[3]
    assert (text.data_type, text.value, text.quotePrefix) == ("s", hostile[:-1], True)
    assert (indicator.data_type, indicator.value, indicator.quotePrefix) == ("s", "+1-2", True)
    formulas = [c.coordinate for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []


def test_nightly_markdown_artifact_keeps_hostile_names_and_reasons_inert():
    from datetime import date
    from pathlib import Path

    from flows.artifacts import FileOutcome, InboxRun, NightlySummary, summary_markdown

    outcomes = (
        FileOutcome("<script>alert(1)</script>.docx", "rejected", "corrupt\r\n| x | y |"),
        FileOutcome("[x](javascript:alert(1)).pdf", "failed", '<img src=x onerror="alert(1)">'),
        FileOutcome("ok.xlsx", "needs_review", "agency not found"),
    )
    summary = NightlySummary(
        as_of=date(2020, 7, 20),
        plans=("nap-2018-2020",),
        inbox=InboxRun(outcomes, known=2, skipped=(("link\x1b[2J|.csv", "symbolic link"),)),
        workbooks=(Path("/w/out/overdue`<b>.xlsx"),),
    )
    html = MarkdownIt("commonmark").enable("table").render(summary_markdown(summary))
    assert "<script" not in html and "<img" not in html and "href" not in html and "<b>" not in html
    figures, files, skipped = html.split("<table>")[1:]  # no row broke out of its table
    assert (files.count("<tr>"), files.count("<td>")) == (1 + 3, 3 * 3)
    assert (skipped.count("<tr>"), skipped.count("<td>")) == (1 + 1, 2)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.docx" in html
