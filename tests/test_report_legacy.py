"""Legacy and open report formats (.doc/.rtf/.odt/.xls/.ods) read through LibreOffice:
exact readings in both languages, content sniffing, guards on the conversion, an untouched
inbox and an archive of the original bytes.

The files are made once per session by LibreOffice itself (tests/fixtures/legacy_reports.py);
readings share one conversion cache, so each file is converted once more at most."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import UnreadableReport
from core.model import Outcome
from extractors import report_legacy
from extractors.convert import INSTALL_HINT, LibreOfficeMissing, soffice_available
from extractors.office_sniff import sniff
from extractors.reports import ReaderSettings, read_document, reader_for
from normalizers.report_reading import read_report
from tests.fixtures.legacy_reports import CASES, build_cases, write_ods_bomb

pytestmark = [
    pytest.mark.skipif(
        not soffice_available(), reason=f"LibreOffice (soffice) not installed: {INSTALL_HINT}"
    ),
    # The files are made (by LibreOffice, ~2-4 s each) once per session: one xdist worker.
    pytest.mark.xdist_group("legacy_reports"),
]
BY_FORMAT = {case.fmt: case for case in CASES}


@pytest.fixture(scope="session")
def legacy_files(tmp_path_factory) -> dict[str, Path]:
    return build_cases(tmp_path_factory.mktemp("legacy-reports"))


@pytest.fixture(scope="session")
def cached(tmp_path_factory) -> ReaderSettings:
    return ReaderSettings(convert_cache=str(tmp_path_factory.mktemp("convert-cache")))


@pytest.mark.parametrize("fmt", list(BY_FORMAT))
def test_each_legacy_format_reads_exactly(legacy_files, cached, seed_plan, fmt):
    case = BY_FORMAT[fmt]
    document = read_document(legacy_files[fmt], cached)
    assert document.source == case.name
    assert document.metadata["converted_from"] == fmt
    reading = read_report(document, seed_plan, case.name)
    assert reading.outcome == Outcome.ACCEPTED, reading.reason
    assert (reading.agency, reading.period, reading.language) == (
        case.agency_code,
        case.period,
        case.lang,
    )
    assert reading.report_date == case.received
    assert tuple((e.measure_id, e.status) for e in reading.entries) == case.statuses


@pytest.mark.parametrize(
    ("fmt", "name"), [("doc", "report.docx"), ("xls", "отчет"), ("rtf", "a.txt")]
)
def test_content_decides_not_the_name(legacy_files, cached, tmp_path, fmt, name):
    renamed = tmp_path / name
    shutil.copyfile(legacy_files[fmt], renamed)
    assert reader_for(renamed, renamed.read_bytes()[:2048]) is report_legacy
    document = read_document(renamed, cached)  # same bytes: served from the cache
    assert document.metadata["converted_from"] == fmt and document.source == name


def test_sniffing_tells_each_kind(legacy_files):
    kinds = {fmt: sniff(path, path.read_bytes()[:2048]) for fmt, path in legacy_files.items()}
    assert {fmt: (k.name, k.target, k.encrypted) for fmt, k in kinds.items()} == {
        "doc": ("doc", "docx", False),
        "rtf": ("rtf", "docx", False),
        "odt": ("odt", "docx", False),
        "xls": ("xls", "xlsx", False),
        "ods": ("ods", "xlsx", False),
    }


def test_conversion_cache_is_keyed_by_sha256(legacy_files, cached):
    first = read_document(legacy_files["odt"], cached)
    sha = hashlib.sha256(legacy_files["odt"].read_bytes()).hexdigest()
    entry = Path(cached.convert_cache) / f"{sha}.docx"
    stamp = entry.stat().st_mtime_ns
    again = read_document(legacy_files["odt"], cached)
    assert again == first and entry.stat().st_mtime_ns == stamp  # not converted again
    assert not [p for p in entry.parent.iterdir() if p.name.endswith(".part")]


def test_a_hanging_conversion_is_killed_and_rejected_with_that_reason(legacy_files):
    with pytest.raises(UnreadableReport) as caught:
        read_document(legacy_files["doc"], ReaderSettings(convert_timeout=0.2))
    assert caught.value.reason == (
        "Word 97-2003 document (.doc): "
        "LibreOffice did not finish converting within 0.2 s and was stopped"
    )


def test_a_conversion_bomb_is_refused(tmp_path, cached):
    # < 1 KB of .ods that LibreOffice writes out as 40,000 cells (~1.7 MB of sheet XML)
    bomb = write_ods_bomb(tmp_path / "Отчет.ods")
    assert bomb.stat().st_size < 1500
    with pytest.raises(UnreadableReport) as caught:
        read_document(bomb, cached)
    assert caught.value.reason.startswith("zip bomb suspected: converted, it inflates to 1,")
    # the converted file is also held to the upload size limit the original passed
    small = ReaderSettings(max_bytes=20_000, convert_cache=cached.convert_cache)
    with pytest.raises(UnreadableReport, match=r": converted file too large \(\d"):
        read_document(bomb, small)


def test_the_converted_file_passes_the_zip_guards(legacy_files, cached):
    limits = ReaderSettings(max_unzipped_bytes=3000, convert_cache=cached.convert_cache)
    with pytest.raises(UnreadableReport) as caught:
        read_document(legacy_files["xls"], limits)
    assert caught.value.reason.startswith("after conversion to .xlsx: zip bomb suspected")
    assert str(caught.value).startswith(str(legacy_files["xls"]))  # names the original


def test_encrypted_word97_document_is_refused_as_encrypted(legacy_files, tmp_path):
    import olefile

    locked = tmp_path / "locked.doc"
    shutil.copyfile(legacy_files["doc"], locked)
    with olefile.OleFileIO(str(locked), write_mode=True) as ole:
        fib = bytearray(ole.openstream("WordDocument").read())
        fib[11] |= 0x01  # FIB fEncrypted: what Word sets on a password-protected .doc
        ole.write_stream("WordDocument", bytes(fib))
    with pytest.raises(UnreadableReport) as caught:
        read_document(locked)
    assert caught.value.reason == (
        "password-protected (encrypted) Word 97-2003 document (.doc) — save it without a password"
    )


@pytest.mark.slow
def test_inbox_untouched_and_the_original_is_archived(legacy_files, seed_plan, tmp_path):
    from ledger.db import Ledger
    from ledger.inbox import InboxSettings, scan_inbox

    inbox, work = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    for fmt in ("doc", "ods"):
        shutil.copy2(legacy_files[fmt], inbox / legacy_files[fmt].name)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.iterdir()}
    with Ledger.for_workdir(work) as ledger:
        reports = scan_inbox(inbox, work, ledger, [seed_plan], InboxSettings(settle_seconds=0))
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.iterdir()}
    assert after == before
    assert sorted((r.file, r.outcome) for r in reports) == sorted(
        (name, Outcome.ACCEPTED) for name in before
    )
    for report in reports:
        stored = work / report.stored_path
        assert stored.suffix == Path(report.file).suffix  # .doc / .ods, not the conversion
        assert stored.read_bytes() == before[report.file][0]
    archive = work / "archive"
    assert not list(archive.rglob("*.docx")) and not list(archive.rglob("*.xlsx"))
    # the conversions are cached by the original's sha256, so a re-read converts nothing
    cached = sorted(p.stem for p in (work / ".convert-cache").iterdir())
    assert cached == sorted(r.sha256 for r in reports)


# --------------------------------------------------------------------------- fuzz


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fmt=st.sampled_from(list(BY_FORMAT)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_legacy_files_are_sniffed_without_crashing(legacy_files, tmp_path, fmt, cut, flips):
    # Sniffing runs on every file before any conversion; it must never raise.
    data = bytearray(legacy_files[fmt].read_bytes())
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    data = data[: max(1, int(len(data) * cut))] if cut < 1.0 else data
    path = tmp_path / f"damaged.{fmt}"
    path.write_bytes(bytes(data))
    kind = sniff(path, bytes(data[:2048]))
    assert kind is None or kind.name in {
        "doc",
        "xls",
        "rtf",
        "odt",
        "ods",
        "corrupt-ole",
        "ole-other",
        "encrypted-ooxml",
    }


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["doc", "xls"])
def test_truncated_legacy_file_is_refused_or_read_never_a_crash(legacy_files, tmp_path, fmt):
    data = legacy_files[fmt].read_bytes()
    path = tmp_path / f"half.{fmt}"
    path.write_bytes(data[: len(data) // 2])
    try:
        document = read_document(path)
    except UnreadableReport as err:
        assert err.reason and "planwatch-" not in err.reason  # never a temp path
    else:
        assert document.source == path.name


def test_zip_member_guard_helper_on_a_non_zip(tmp_path):
    from extractors.report_zip import zip_infos

    (tmp_path / "x").write_bytes(b"not a zip")
    assert zip_infos(tmp_path / "x") == []
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as archive:
        archive.writestr("a", "b")
    assert [i.filename for i in zip_infos(tmp_path / "y.zip")] == ["a"]


@pytest.mark.slow
def test_prepare_converts_a_batch_into_the_cache_read_then_uses(legacy_files, tmp_path, seed_plan):
    settings = ReaderSettings(convert_cache=str(tmp_path / "cache"))
    inbox = list(legacy_files.values())
    assert report_legacy.prepare(inbox, settings) == []  # two LibreOffice runs: docx, xlsx
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert cached == sorted(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}.{BY_FORMAT[f].source_format}"
        for f, p in legacy_files.items()
    )
    for fmt, path in legacy_files.items():
        reading = read_report(read_document(path, settings), seed_plan, path.name)
        assert tuple((e.measure_id, e.status) for e in reading.entries) == BY_FORMAT[fmt].statuses
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == cached  # nothing new


def test_without_libreoffice_ingest_fails_and_retries_instead_of_rejecting(
    legacy_files, seed_plan, tmp_path, monkeypatch
):
    from ledger.db import Ledger
    from ledger.inbox import ingest_file

    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice to be found
    with pytest.raises(LibreOfficeMissing):
        read_document(legacy_files["rtf"])
    with Ledger.for_workdir(tmp_path / "work") as ledger:
        report = ingest_file(legacy_files["rtf"], ledger, [seed_plan], tmp_path / "work")
    assert report.outcome == Outcome.FAILED  # read again on the next run, once installed
    assert INSTALL_HINT in report.reason and str(legacy_files["rtf"].parent) not in report.reason
