"""Every report format read into a Document, and every kind of bad file refused cleanly."""

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UnreadableReport, UnsupportedReport
from extractors import report_csv, report_docx, report_pdf, report_text, report_xlsx
from extractors.reports import READERS, ReaderSettings, read_document, reader_for
from tests.fixtures.report_files import (
    WRITERS,
    write_csv_report,
    write_encrypted_pdf,
    write_image_pdf,
    write_pdf_report,
)

AGENCY = ("Кыргыз Республикасынын Билим берүү жана илим министрлиги", "БИМ")
PERIOD = "2019-жылдын 1-жарым жылдыгы"
DATE = "2020-жылдын 3-июлу № 01-12/345"
ENTRIES = [
    ("dot", "4.3", "аткарылды", "Окутуучулар үчүн 12 курс өткөрүлдү"),
    ("p", "6.1", "", "Семинарлар өткөрүлүүдө, аткарылууда"),
    ("none", None, "аткарылган жок", "Ишкерликтин негиздери боюнча курстар"),
]
TABLE_ROWS = [
    ("№", "Чара", "Аткарылышы", "Абалы"),
    ("1", "4.3.", "Окутуучулар үчүн 12 курс өткөрүлдү", "аткарылды"),
    ("2", "п. 6.1", "Семинарлар өткөрүлүүдө, аткарылууда", ""),
    ("3", "", "Ишкерликтин негиздери боюнча курстар", "аткарылган жок"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    return {
        s: w(folder / f"БИМ отчет{s}", AGENCY, PERIOD, DATE, ENTRIES, "ky")
        for s, w in WRITERS.items()
    }


def _rows(doc):
    return [tuple(c for c in row) for t in doc.tables for row in t.rows]


def _padded(rows):
    width = max(len(r) for r in rows)
    return [tuple(r) + ("",) * (width - len(r)) for r in rows]


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf", ".csv"])
def test_table_formats_give_the_exact_table(reports, suffix):
    doc = read_document(reports[suffix])
    header_at = next(i for i, r in enumerate(_rows(doc)) if r[:2] == ("№", "Чара"))
    assert _padded(_rows(doc)[header_at : header_at + 4]) == TABLE_ROWS
    assert doc.source == reports[suffix].name


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".txt"])
def test_letter_formats_keep_letter_head_title_and_signature(reports, suffix):
    text = read_document(reports[suffix]).text
    assert AGENCY[0] in text
    assert DATE in text
    assert "1-жарым" in text
    assert "Министр (БИМ) А. Асанов" in text


def test_xlsx_rows_are_located_by_sheet_and_row(reports):
    table = read_document(reports[".xlsx"]).tables[0]
    assert table.location == "sheet Отчет"
    assert table.row_locations[0] == "sheet Отчет!row 1"
    assert table.row_locations[table.rows.index(TABLE_ROWS[0])] == "sheet Отчет!row 6"


def test_docx_and_pdf_locations(reports):
    docx_doc = read_document(reports[".docx"])
    assert docx_doc.paragraphs[0].location == "header para 1"
    assert docx_doc.tables[0].row_locations[1] == "table 1 row 2"
    assert docx_doc.metadata["creator"] == "planwatch fixtures"
    pdf_doc = read_document(reports[".pdf"])
    assert pdf_doc.tables[0].row_locations[0] == "page 1 row 1"
    assert all(p.location.startswith("page 1 line") for p in pdf_doc.paragraphs)


def test_text_report_numbered_paragraphs(reports):
    doc = read_document(reports[".txt"])
    assert doc.tables == ()
    assert "4.3. Окутуучулар үчүн 12 курс өткөрүлдү Абалы: аткарылды." in [
        p.text for p in doc.paragraphs
    ]


def test_markdown_pipe_table_and_tab_table(tmp_path):
    md = tmp_path / "r.md"
    md.write_text(
        "# Отчет\n\n| № | Чара | Аткарылышы |\n|---|---|---|\n| 1 | 4.3 | өткөрүлдү |\n",
        encoding="utf-8",
    )
    doc = read_document(md)
    assert doc.tables[0].rows == (("№", "Чара", "Аткарылышы"), ("1", "4.3", "өткөрүлдү"))
    assert doc.tables[0].row_locations == ("line 3", "line 5")
    assert doc.paragraphs[0].text == "Отчет"
    tsv = tmp_path / "r.txt"
    tsv.write_text("Отчет\n№\tЧара\n1\t4.3\n", encoding="utf-8")
    assert read_document(tsv).tables[0].rows == (("№", "Чара"), ("1", "4.3"))


def test_csv_in_cp1251_with_semicolons_and_commas_in_titles(tmp_path):
    path = write_csv_report(
        tmp_path / "МОН.csv",
        "Министерство образования и науки, МОН",
        "за 1 полугодие 2019 года",
        "",
        [("plain", "4.3", "выполнено", "Проведено 12 курсов, обучено 300 человек")],
        "ru",
        encoding="cp1251",
    )
    rows = read_document(path).tables[0].rows
    assert rows[0] == ("Исполнитель: Министерство образования и науки, МОН",)
    assert rows[2] == ("№ п/п", "Мероприятие", "Информация об исполнении", "Статус")
    assert rows[3] == ("1", "4.3", "Проведено 12 курсов, обучено 300 человек", "выполнено")


def test_reader_is_chosen_by_content_not_suffix(tmp_path, reports):
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(reports[".docx"].read_bytes())
    assert reader_for(disguised, disguised.read_bytes()[:2048]) is report_docx
    wrong = tmp_path / "report.docx"
    wrong.write_bytes(reports[".xlsx"].read_bytes())
    assert read_document(wrong).tables[0].location == "sheet Отчет"
    nameless = tmp_path / "report"
    nameless.write_bytes(reports[".pdf"].read_bytes())
    assert reader_for(nameless, nameless.read_bytes()[:2048]) is report_pdf


def test_registry_lists_each_format_once():
    suffixes = [s for reader in READERS for s in reader.SUFFIXES]
    assert len(suffixes) == len(set(suffixes))
    for reader in (report_csv, report_docx, report_pdf, report_text, report_xlsx):
        assert reader in READERS


def test_xlsx_values_only_dates_and_numbers(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Дата", datetime(2020, 7, 3), 2.1, 3.0, "=1+1"])
    wb.save(tmp_path / "v.xlsx")
    assert read_document(tmp_path / "v.xlsx").tables[0].rows[0][:4] == (
        "Дата",
        "03.07.2020",
        "2.1",
        "3",
    )


# --------------------------------------------------------------------------- bad input


def _refused(path: Path, error=UnreadableReport, settings=None) -> str:
    with pytest.raises(error) as caught:
        read_document(path, settings)
    assert str(caught.value).startswith(str(path))
    return caught.value.reason


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf", ".csv", ".txt"])
def test_empty_file(tmp_path, suffix):
    (tmp_path / f"e{suffix}").write_bytes(b"")
    assert _refused(tmp_path / f"e{suffix}") == "empty file"


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_truncated_file(tmp_path, reports, suffix):
    data = reports[suffix].read_bytes()
    path = tmp_path / f"t{suffix}"
    path.write_bytes(data[: len(data) // 3])
    reason = _refused(path)
    assert "corrupt" in reason or "truncated" in reason


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_garbage_with_an_office_or_pdf_name(tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    path.write_bytes(b"this is not what the name says " * 20)
    assert "corrupt" in _refused(path)


def test_zip_with_broken_workbook_xml(tmp_path, reports):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(reports[".xlsx"]) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(
                info, b"<worksheet><sheetData><row>" if "worksheets/" in info.filename else data
            )
    assert "corrupt workbook" in _refused(path)


def test_encrypted_pdf(tmp_path):
    assert (
        _refused(write_encrypted_pdf(tmp_path / "enc.pdf"))
        == "encrypted PDF — a password is required to read it"
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".doc", ".bin"])
def test_encrypted_office_file(tmp_path, reports, suffix):
    # Office saves a password-protected xlsx/docx as an OLE2 compound file, not a zip: it
    # is refused as encrypted whatever its name, never sent to LibreOffice as a legacy file.
    from msoffcrypto.format.ooxml import OOXMLFile

    source = reports[".docx" if suffix == ".docx" else ".xlsx"]
    path = tmp_path / f"secret{suffix}"
    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    assert _refused(path) == (
        "password-protected (encrypted) Office file — save it without a password"
    )


@pytest.mark.parametrize("suffix", [".xls", ".docx"])
def test_damaged_ole_file_is_called_corrupt(tmp_path, suffix):
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptionInfo" * 40)
    assert _refused(path) == "corrupt legacy Office file (its OLE directory is damaged)"


def test_image_only_pdf(tmp_path):
    # With Tesseract the scan is OCR'd (and holds no text); without, the reason says how
    # to switch OCR on. Either way a refusal that names the scan, never a crash.
    assert _refused(write_image_pdf(tmp_path / "scan.pdf")).startswith("scanned PDF")


@pytest.mark.parametrize("suffix", [".xlsx", ".docx"])
def test_zip_bomb_is_refused_before_parsing(tmp_path, suffix):
    path = tmp_path / f"bomb{suffix}"
    folder = "xl" if suffix == ".xlsx" else "word"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", b"\0" * 5_000_000)
    assert path.stat().st_size < 20_000
    assert "zip bomb suspected" in _refused(path)
    limits = ReaderSettings(max_unzipped_bytes=1_000_000, max_zip_ratio=10_000)
    assert "inflate to 5,000" in _refused(path, settings=limits)


def test_oversized_file(tmp_path, reports):
    reason = _refused(reports[".docx"], settings=ReaderSettings(max_bytes=1000))
    assert reason.startswith("file too large")


def test_undecodable_text(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(bytes(range(256)) * 4)
    assert "not a text file" in _refused(path)


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("photo.bin", b"\x00\x01binary", "unsupported file type (.bin)"),
        ("archive.zip", None, "neither an .xlsx workbook nor a .docx"),
    ],
)
def test_unsupported_types(tmp_path, name, data, words):
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
    else:
        path.write_bytes(data)
    assert words in _refused(path, UnsupportedReport)


def test_letter_without_table(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Кыргыз Республикасынын Билим берүү жана илим министрлиги")
    document.add_paragraph("Маалымат кийинчерээк жөнөтүлөт.")
    document.save(tmp_path / "letter.docx")
    doc = read_document(tmp_path / "letter.docx")
    assert doc.tables == () and len(doc.paragraphs) == 2


def test_long_pdf_table_spans_pages_and_page_limit(tmp_path):
    entries = [("plain", f"{n}.1", "аткарылды", "Иш-чара өткөрүлдү. " * 6) for n in range(1, 41)]
    path = write_pdf_report(tmp_path / "long.pdf", AGENCY, PERIOD, DATE, entries, "ky")
    doc = read_document(path)
    assert len(doc.tables) >= 2 and doc.tables[1].row_locations[0].startswith("page 2")
    ids = [row[1] for t in doc.tables for row in t.rows if row[1] != "Чара"]
    assert ids == [f"{n}.1" for n in range(1, 41)]
    assert "too many pages" in _refused(path, settings=ReaderSettings(max_pdf_pages=1))


# --------------------------------------------------------------------------- fuzz


def _clean_or_document(path: Path) -> None:
    try:
        read_document(path)
    except (UnreadableReport, UnsupportedReport) as err:
        assert err.reason


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(min_size=1, max_size=4096), suffix=st.sampled_from([*WRITERS, ".md", ".bin", ""])
)
def test_random_bytes_never_crash(tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    _clean_or_document(path)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(list(WRITERS)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_real_files_never_crash(tmp_path, reports, suffix, cut, flips):
    data = bytearray(reports[suffix].read_bytes())
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    data = data[: max(1, int(len(data) * cut))] if cut < 1.0 else data
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(bytes(data))
    _clean_or_document(path)


def test_text_pdf_reader_alone_names_a_scan(tmp_path):
    # Without the OCR reader in front, the text-layer reader still refuses a scan clearly.
    path = write_image_pdf(tmp_path / "scan.pdf")
    with pytest.raises(UnreadableReport) as caught:
        report_pdf.read(path)
    assert caught.value.reason == report_pdf.SCANNED_REASON == "scanned PDF — no text layer"


# --------------------------------------------------------------------------- truthful reasons


def test_docx_with_a_stray_xl_member_is_read_as_a_document(tmp_path, reports):
    path = tmp_path / "letter.docx"
    with zipfile.ZipFile(reports[".docx"]) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/logo.png", b"\x89PNG\r\n\x1a\n")  # what some editors leave
    assert reader_for(path, path.read_bytes()[:2048]) is report_docx
    assert _rows(read_document(path)) == TABLE_ROWS


def _macro_enabled(source: Path, path: Path, main_part: str, content_type: str) -> Path:
    """What Office writes for .docm/.xlsm: the main part's macro-enabled content type and a
    vbaProject.bin beside it (never run by planwatch)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = re.sub(
                    rf'(PartName="/{main_part}" ContentType=")[^"]+'.encode(),
                    rb"\g<1>" + content_type.encode(),
                    data,
                )
            dst.writestr(info, data)
        dst.writestr(f"{main_part.split('/')[0]}/vbaProject.bin", b"\xd0\xcf\x11\xe0 macros")
    return path


def test_macro_enabled_document_is_read_and_named(tmp_path, reports):
    path = _macro_enabled(
        reports[".docx"],
        tmp_path / "report.docm",
        "word/document.xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    document = read_document(path)
    assert _rows(document) == TABLE_ROWS
    assert document.metadata["macros"] == "macro-enabled document"


def test_macro_enabled_workbook_is_read_and_named(tmp_path, reports):
    path = _macro_enabled(
        reports[".xlsx"],
        tmp_path / "report.xlsm",
        "xl/workbook.xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    document = read_document(path)
    assert _rows(document) == _rows(read_document(reports[".xlsx"]))
    assert document.metadata["macros"] == "macro-enabled workbook"
    assert "macros" not in read_document(reports[".xlsx"]).metadata


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_csv_without_bom(tmp_path, encoding):
    path = tmp_path / "report.csv"
    path.write_bytes("\n".join(";".join(row) for row in TABLE_ROWS).encode(encoding))
    assert _padded(_rows(read_document(path))) == TABLE_ROWS


def test_utf16_prose_without_bom_and_binary_with_nuls(tmp_path):
    text = "Маалымат\nОкутуучулар үчүн курстар өткөрүлдү\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-16-le"))
    assert read_document(tmp_path / "a.txt").text == text.strip()
    (tmp_path / "b.txt").write_bytes(bytes(range(256)) * 8)  # NULs on both sides: binary
    assert "not a text file" in _refused(tmp_path / "b.txt")
