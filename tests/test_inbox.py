import hashlib
import os
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.model import DateSource, Outcome, Period
from ledger.db import Ledger
from ledger.inbox import (
    InboxSettings,
    clean_leftovers,
    display_name,
    ingest_file,
    list_inbox,
    look_inbox,
    scan_inbox,
)
from tests.fixtures.report_files import (
    write_csv_report,
    write_docx_report,
    write_encrypted_pdf,
    write_image_pdf,
    write_pdf_report,
    write_xlsx_report,
)

NOW = datetime(2020, 7, 20, 3, 0, tzinfo=UTC)
NO_WAIT = InboxSettings(settle_seconds=0)
# Real measures of the seed plan: 4.3 is БИМ's alone (deadline 2019-H2).
BIM_ENTRIES = [
    ("p", "4.3", "аткарылды", "Окутуучулар үчүн квалификациясын жогорулатуу курстары өткөрүлдү."),
    ("plain", "4.2", "аткарылууда", "Методикалык окуу куралдары иштелип чыгууда."),
]
PERIOD_KY = "2019-жылдын 2-жарым жылдыгы"


@pytest.fixture(scope="module")
def plans(seed_plan):
    return [seed_plan]


@pytest.fixture
def dirs(tmp_path):
    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    with Ledger.for_workdir(work) as ledger:
        yield inbox, work, ledger


def checksums(folder: Path) -> dict[str, tuple[str, int, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def zip_bomb(path: Path) -> Path:
    """A valid-looking .xlsx whose one member inflates 50 MB of zeros from a few KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    return path


def test_good_report_is_archived_by_content_and_recorded(dirs, plans):
    inbox, work, ledger = dirs
    src = write_xlsx_report(
        inbox / "БИМ отчет.xlsx", "БИМ", PERIOD_KY, "03.01.2020 № 12-3/456", BIM_ENTRIES
    )
    report = ingest_file(src, ledger, plans, work, now=NOW)
    assert report.outcome in (Outcome.ACCEPTED, Outcome.NEEDS_REVIEW), report.reason
    assert (report.agency, report.period) == ("БИМ", Period(2019, 2))
    assert (report.received_date, report.received_source) == (date(2020, 1, 3), DateSource.CONTENT)
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    assert report.stored_path == f"archive/{sha[:2]}/{sha}.xlsx"
    assert (work / report.stored_path).read_bytes() == src.read_bytes()
    assert {e.measure_id for e in report.entries} == {"4.3", "4.2"}
    assert ledger.reports() == [report]
    assert report.plan_id == plans[0].plan_id
    assert not list((work / ".staging").iterdir())


BAD_INPUTS = {
    "empty.xlsx": (lambda p: p.write_bytes(b""), "empty"),
    "setup.exe": (lambda p: p.write_bytes(b"MZ\x90\x00" + bytes(500)), "unsupported"),
    "photo.jpg": (lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + bytes(500)), "photo.jpg"),
    "truncated.xlsx": (
        lambda p: p.write_bytes(
            write_xlsx_report(p, "БИМ", PERIOD_KY, "", BIM_ENTRIES).read_bytes()[:700]
        ),
        "",
    ),
    "truncated.docx": (
        lambda p: p.write_bytes(
            write_docx_report(p, "БИМ", PERIOD_KY, "", BIM_ENTRIES).read_bytes()[:900]
        ),
        "",
    ),
    "not really.pdf": (lambda p: p.write_bytes(b"%PDF-1.4\n garbage \x00\x01" * 20), ""),
    "locked.pdf": (write_encrypted_pdf, "encrypt"),
    "scan.pdf": (write_image_pdf, "scanned"),  # a blank "scan": OCR finds no text
    "bomb.xlsx": (zip_bomb, ""),
    "legacy.doc": (lambda p: p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600)), ""),
    "huge.csv": (lambda p: p.write_bytes(b"a;b\n" * (7 * 1024 * 1024)), "too large"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_quarantined_with_a_reason(dirs, plans, name):
    inbox, work, ledger = dirs
    make, reason_word = BAD_INPUTS[name]
    src = inbox / name
    make(src)
    report = ingest_file(src, ledger, plans, work, now=NOW)
    assert report.outcome == Outcome.REJECTED
    assert report.reason and reason_word.lower() in report.reason.lower()
    assert ".staging" not in report.reason  # the inbox name, never the private copy's path
    assert report.stored_path == f"quarantine/{name}"
    assert (work / report.stored_path).read_bytes() == src.read_bytes()
    reason_file = work / "quarantine" / f"{name}.reason.txt"
    assert report.reason in reason_file.read_text(encoding="utf-8")
    assert ledger.report(report.sha256) == report


def test_report_without_agency_or_period_is_not_accepted(dirs, plans):
    inbox, work, ledger = dirs
    src = write_docx_report(inbox / "report.docx", "Белгисиз мекеме", "", "", BIM_ENTRIES)
    report = ingest_file(src, ledger, plans, work, now=NOW)
    assert report.outcome != Outcome.ACCEPTED
    assert report.reason


def test_reader_crash_is_failed_not_a_verdict_and_not_an_exception(dirs, plans, monkeypatch):
    import extractors.reports

    def broken(path, settings=None):
        raise RuntimeError("reader bug")

    monkeypatch.setattr(extractors.reports, "read_document", broken)
    inbox, work, ledger = dirs
    src = write_csv_report(inbox / "БИМ.csv", "БИМ", PERIOD_KY, "", BIM_ENTRIES)
    report = ingest_file(src, ledger, plans, work, now=NOW)
    assert report.outcome == Outcome.FAILED and report.tries == 1
    assert "RuntimeError: reader bug" in report.reason
    assert not (work / "quarantine").exists()  # not quarantined: nothing is wrong with it
    assert (work / report.stored_path).read_bytes() == src.read_bytes()


def test_scan_never_alters_the_inbox_and_ingests_same_bytes_once(dirs, plans):
    inbox, work, ledger = dirs
    a = write_docx_report(inbox / "БИМ отчет 2-жарым 2019.docx", "БИМ", PERIOD_KY, "", BIM_ENTRIES)
    (inbox / "copy of 'БИМ' (1).docx").write_bytes(a.read_bytes())
    (inbox / "empty.pdf").write_bytes(b"")
    write_pdf_report(inbox / "БИМ.pdf", "БИМ", PERIOD_KY, "05.01.2020 № 1", BIM_ENTRIES)
    before = checksums(inbox)

    first = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert checksums(inbox) == before
    assert len(first) == 4
    by_name = dict(zip(sorted(before), first, strict=True))  # reports come in name order
    original, dup = by_name["БИМ отчет 2-жарым 2019.docx"], by_name["copy of 'БИМ' (1).docx"]
    assert dup == original  # the first-seen name's recorded report, untouched
    assert original.file == "copy of 'БИМ' (1).docx"  # Latin sorts first: seen first
    assert len(ledger.reports()) == 3

    second = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert second == first
    assert checksums(inbox) == before
    assert len(ledger.reports()) == 3
    assert len(list((work / "archive").rglob("*.*"))) == 2


def test_date_falls_back_to_mtime_then_first_seen(dirs, plans):
    inbox, work, ledger = dirs
    undated = write_csv_report(inbox / "БИМ 2019-2.csv", "БИМ", PERIOD_KY, "", BIM_ENTRIES)
    # 2020-01-04 20:30 UTC is already 5 January in Bishkek (UTC+6)
    stamp = datetime(2020, 1, 4, 20, 30, tzinfo=UTC).timestamp()
    os.utime(undated, (stamp, stamp))
    report = ingest_file(undated, ledger, plans, work, now=NOW)
    assert (report.received_date, report.received_source) == (date(2020, 1, 5), DateSource.MTIME)

    future = write_csv_report(inbox / "БИМ 2019-2 v2.csv", "БИМ", PERIOD_KY, "", BIM_ENTRIES[:1])
    stamp = datetime(2031, 1, 1, tzinfo=UTC).timestamp()  # a wrong clock on the sender's side
    os.utime(future, (stamp, stamp))
    report = ingest_file(future, ledger, plans, work, now=NOW)
    assert (report.received_date, report.received_source) == (
        date(2020, 7, 20),
        DateSource.FIRST_SEEN,
    )


def test_still_growing_file_is_left_for_the_next_scan(dirs):
    inbox, _, _ = dirs
    (inbox / "done.csv").write_text("a;b\n", encoding="utf-8")
    growing = inbox / "copying.xlsx"
    growing.write_bytes(b"PK")
    stop = threading.Event()

    def copy_slowly():
        with growing.open("ab") as f:
            while not stop.is_set():
                f.write(b"x" * 512)
                f.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=copy_slowly)
    writer.start()
    try:
        listed = list_inbox(inbox, InboxSettings(settle_seconds=0.3))
    finally:
        stop.set()
        writer.join()
    assert [p.name for p in listed] == ["done.csv"]
    assert [p.name for p in list_inbox(inbox, InboxSettings(settle_seconds=0.05))] == [
        "copying.xlsx",
        "done.csv",
    ]


def test_hidden_temporary_and_non_files_are_skipped(dirs):
    inbox, _, _ = dirs
    for name in (
        "~$БИМ.xlsx",
        ".DS_Store",
        "report.docx.part",
        "x.crdownload",
        "Thumbs.db",
        "a.csv",
    ):
        (inbox / name).write_bytes(b"data")
    (inbox / "sub folder").mkdir()
    (inbox / "link.csv").symlink_to(inbox / "a.csv")
    assert [p.name for p in list_inbox(inbox, NO_WAIT)] == ["a.csv"]


def test_odd_names_and_name_clashes_in_quarantine(dirs, plans):
    inbox, work, ledger = dirs
    long_name = "Отчет " + "өтө узун ат " * 11 + ".xlsx"  # 247 bytes: too long with .reason.txt
    assert 255 - len(".reason.txt") < len(long_name.encode()) <= 255
    (inbox / long_name).write_bytes(b"")
    (inbox / 'отчёт "ССМ"  за 2019.xlsx').write_bytes(b"not a zip at all")
    reports = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert all(r.outcome == Outcome.REJECTED for r in reports)
    stored = {r.file: r.stored_path for r in reports}
    assert stored['отчёт "ССМ"  за 2019.xlsx'] == 'quarantine/отчёт "ССМ"  за 2019.xlsx'
    short = Path(stored[long_name]).name
    assert short.endswith("….xlsx") and len((short + ".reason.txt").encode()) <= 255
    assert (work / "quarantine" / (short + ".reason.txt")).exists()

    # other bytes under a name already in quarantine: kept side by side, nothing overwritten
    for p in inbox.iterdir():
        p.unlink()
    (inbox / 'отчёт "ССМ"  за 2019.xlsx').write_bytes(b"other broken bytes")
    (again,) = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert again.stored_path == 'quarantine/отчёт "ССМ"  за 2019 (2).xlsx'
    assert (work / again.stored_path).read_bytes() == b"other broken bytes"
    assert (work / 'quarantine/отчёт "ССМ"  за 2019.xlsx').read_bytes() == b"not a zip at all"
    assert (work / 'quarantine/отчёт "ССМ"  за 2019 (2).xlsx.reason.txt').exists()


def test_vanished_file_gives_unrecorded_failure(dirs, plans):
    inbox, work, ledger = dirs
    report = ingest_file(inbox / "gone.xlsx", ledger, plans, work, now=NOW)
    assert report.outcome == Outcome.FAILED and "cannot read" in report.reason
    assert report.sha256 == "" and ledger.reports() == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=3000),
    suffix=st.sampled_from([".xlsx", ".docx", ".pdf", ".csv", ".txt", ".md", "", ".bin"]),
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.7\n", bytes.fromhex("d0cf11e0a1b11ae1")]),
)
def test_random_bytes_never_crash_and_are_always_stored(plans, tmp_path, data, suffix, prefix):
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        inbox, work = Path(tmp) / "inbox", Path(tmp) / "work"
        inbox.mkdir()
        src = inbox / f"файл{suffix}"
        src.write_bytes(prefix + data)
        with Ledger.for_workdir(work) as ledger:
            report = ingest_file(src, ledger, plans, work, now=NOW)
            assert report.outcome in set(Outcome)
            assert report.outcome == Outcome.ACCEPTED or report.reason
            assert (work / report.stored_path).read_bytes() == src.read_bytes()
            assert ledger.reports() == [report]


def test_concurrent_workers_record_each_content_once(dirs, plans):
    """The Prefect flow maps ingest_file over files on worker threads: duplicates may race."""
    inbox, work, ledger = dirs
    good = write_csv_report(inbox / "БИМ 1.csv", "БИМ", PERIOD_KY, "05.01.2020 № 1", BIM_ENTRIES)
    (inbox / "БИМ 1 копия.csv").write_bytes(good.read_bytes())
    (inbox / "broken.docx").write_bytes(b"PK\x03\x04 broken")
    (inbox / "broken copy.docx").write_bytes(b"PK\x03\x04 broken")
    files = list_inbox(inbox, NO_WAIT) * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        reports = list(pool.map(lambda p: ingest_file(p, ledger, plans, work, now=NOW), files))
    recorded = {r.sha256: r for r in ledger.reports()}
    assert len(recorded) == 2
    assert all(r == recorded[r.sha256] for r in reports)
    quarantined = sorted(p.name for p in (work / "quarantine").iterdir())
    rejected = next(r for r in recorded.values() if r.outcome == Outcome.REJECTED)
    name = Path(rejected.stored_path).name
    assert quarantined == [name, name + ".reason.txt"]
    assert len(list((work / "archive").rglob("*.csv"))) == 1


def test_ledger_failure_is_not_recorded_and_retried_next_scan(dirs, plans, monkeypatch):
    inbox, work, ledger = dirs
    (inbox / "empty.docx").write_bytes(b"")

    def database_down(report):
        raise ConnectionError("database is down")

    monkeypatch.setattr(ledger, "record", database_down)
    (failed,) = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert failed.outcome == Outcome.FAILED and failed.sha256
    assert "not recorded" in failed.reason and "database is down" in failed.reason
    monkeypatch.undo()
    assert ledger.reports() == []
    (again,) = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert again.reason == "empty file" and ledger.reports() == [again]
    # the copy left by the failed attempt is reused, not duplicated
    assert sorted(p.name for p in (work / "quarantine").iterdir()) == [
        "empty.docx",
        "empty.docx.reason.txt",
    ]


# ---------------------------------------------------------------------- hostile inbox


def test_listing_names_what_it_skips_and_why(dirs):
    inbox, _, _ = dirs
    (inbox / "a.csv").write_bytes(b"data")
    (inbox / "~$lock.xlsx").write_bytes(b"x")  # temporary: passed over silently
    (inbox / "folder").mkdir()
    (inbox / "link.csv").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.csv")
    listing = look_inbox(inbox, NO_WAIT)
    assert [p.name for p in listing.files] == ["a.csv"]
    assert dict(listing.skipped) == {
        "folder": "folder (only files directly in the inbox are read)",
        "link.csv": "symbolic link (not followed)",
        "pipe.csv": "named pipe (FIFO), not a file",
    }


def test_a_file_swapped_for_a_symlink_after_the_listing_is_not_read(dirs, plans):
    inbox, work, ledger = dirs
    report = inbox / "report.txt"
    report.write_text("a report", encoding="utf-8")
    listing = look_inbox(inbox, NO_WAIT)
    report.unlink()
    report.symlink_to("/etc/passwd")  # the swap, between listing and reading
    secret = Path("/etc/passwd").read_bytes()
    for listed in (listing.signatures[report], None):  # with and without the listing's look
        got = ingest_file(report, ledger, plans, work, now=NOW, listed=listed)
        assert got.outcome == Outcome.FAILED and got.sha256 == ""
        assert "symbolic link" in got.reason
    assert ledger.reports() == []
    copies = [p for p in work.rglob("*") if p.is_file() and p.suffix != ".sqlite"]
    assert all(p.read_bytes() != secret for p in copies)
    assert not any((work / ".staging").iterdir())


def test_a_file_replaced_by_other_bytes_after_the_listing_waits_for_the_next_scan(dirs, plans):
    inbox, work, ledger = dirs
    report = inbox / "report.txt"
    report.write_text("first bytes", encoding="utf-8")
    listing = look_inbox(inbox, NO_WAIT)
    replacement = inbox / ".incoming"
    replacement.write_text("other bytes!", encoding="utf-8")
    os.replace(replacement, report)  # new inode under the listed name
    got = ingest_file(report, ledger, plans, work, now=NOW, listed=listing.signatures[report])
    assert got.outcome == Outcome.FAILED and "not the file listed" in got.reason
    assert ledger.reports() == []


def test_a_file_swapped_for_a_fifo_does_not_hang_the_scan(dirs, plans):
    inbox, work, ledger = dirs
    report = inbox / "report.txt"
    report.write_text("a report", encoding="utf-8")
    listing = look_inbox(inbox, NO_WAIT)
    report.unlink()
    os.mkfifo(report)  # nobody ever writes: a plain open() for reading blocks forever
    results = []
    reader = threading.Thread(
        target=lambda: results.append(
            ingest_file(report, ledger, plans, work, now=NOW, listed=listing.signatures[report])
        ),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "ingest_file blocked on a FIFO"
    (got,) = results
    assert got.outcome == Outcome.FAILED and "named pipe" in got.reason
    assert ledger.reports() == []


CP1251_NAME = "Отчет.bin".encode("cp1251")  # b'\xce\xf2\xf7\xe5\xf2.bin', as unzip leaves it


def test_a_name_that_is_not_utf8_is_recorded_under_a_safe_display_name(dirs, plans):
    inbox, work, ledger = dirs
    with open(os.fsencode(inbox) + b"/" + CP1251_NAME, "wb") as f:
        f.write(b"\x00\x01 neither a report nor text")
    (got,) = scan_inbox(inbox, work, ledger, plans, NO_WAIT)
    assert got.file == "Отчет.bin"
    assert got.outcome == Outcome.REJECTED  # a statement about the bytes, recorded
    assert got.stored_path == "quarantine/Отчет.bin"
    assert (work / got.stored_path).read_bytes().startswith(b"\x00\x01")
    assert [r.file for r in ledger.reports()] == ["Отчет.bin"]
    (seen,) = ledger.sightings()  # the audit keeps the name's real bytes, escaped
    assert (seen.name, seen.raw_name) == ("Отчет.bin", "\\xce\\xf2\\xf7\\xe5\\xf2.bin")
    (again,) = scan_inbox(inbox, work, ledger, plans, NO_WAIT)  # known now: not read again
    assert again == got


@pytest.mark.parametrize(
    ("raw", "shown", "escaped"),
    [
        ("Отчет.docx".encode("cp1251"), "Отчет.docx", "\\xce\\xf2\\xf7\\xe5\\xf2.docx"),
        ("Отчет.docx".encode("cp866"), "Отчет.docx", "\\x8e\\xe2\\xe7\\xa5\\xe2.docx"),
        # 0x98 is no character in cp1251; in cp866 it is "Ш": the decoding that works wins
        (b"r\x98.docx", "rШ.docx", "r\\x98.docx"),
        ("Отчет.docx".encode(), "Отчет.docx", ""),
    ],
)
def test_display_name_of_raw_bytes(raw, shown, escaped):
    assert display_name(os.fsdecode(raw)) == (shown, escaped)


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path):
    work = tmp_path / "work"
    staged = work / ".staging" / "tmpabc" / "report.xlsx"
    staged.parent.mkdir(parents=True)
    staged.write_bytes(b"half")
    (work / "out" / "agencies").mkdir(parents=True)
    (work / "out" / ".files.csv.k2j3.tmp").write_text("half")
    (work / "out" / "agencies" / ".x.xlsx.abc.tmp").write_text("half")
    (work / "out" / "files.csv").write_text("whole")
    quarantine = work / "quarantine"
    quarantine.mkdir()
    (quarantine / "a.pdf").write_bytes(b"%PDF")
    (quarantine / "a.pdf.reason.txt").write_text("kept")
    (quarantine / "b.pdf.reason.txt").write_text("orphan: the copy never arrived")
    removed = clean_leftovers(work)
    assert {p.relative_to(work).as_posix() for p in removed} == {
        ".staging/tmpabc",
        "out/.files.csv.k2j3.tmp",
        "out/agencies/.x.xlsx.abc.tmp",
        "quarantine/b.pdf.reason.txt",
    }
    left = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()}
    assert left == {"out/files.csv", "quarantine/a.pdf", "quarantine/a.pdf.reason.txt"}
    assert clean_leftovers(work) == []
    assert clean_leftovers(tmp_path / "fresh") == []
