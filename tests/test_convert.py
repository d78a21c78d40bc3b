"""extractors.convert: LibreOffice on a private copy, own profile, timeout, cache, no network.

The runner's guards (timeout kills the whole group, missing binary, no output, network
namespace) are tested with a stand-in `soffice` script, so they run everywhere; the real
conversions skip, saying why, only where LibreOffice is not installed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import docx
import openpyxl
import pytest

from core.errors import PlanwatchError
from extractors import convert as convert_module
from extractors.convert import (
    INSTALL_HINT,
    ConversionError,
    ConversionTimeout,
    ConvertSettings,
    LibreOfficeMissing,
    convert,
    convert_many,
    converted,
    soffice_available,
)

needs_soffice = pytest.mark.skipif(
    not soffice_available(), reason=f"LibreOffice (soffice) not installed: {INSTALL_HINT}"
)


def _fake_soffice(tmp_path: Path, body: str) -> str:
    """An executable stand-in for soffice running `body` (Python) with `args` = argv[1:]."""
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!{sys.executable}\nimport os, sys, time\nargs = sys.argv[1:]\n{body}\n")
    script.chmod(0o755)
    return str(script)


def _docx(path: Path, text: str) -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, value in zip(table._cells, ("№", "Абалы", "15.2", "Аткарылды"), strict=True):
        cell.text = value
    document.add_paragraph("Министр")  # a .doc export flattens a table that ends the body
    document.save(path)
    return path


def _out_dir_of(args: list[str]) -> Path:
    return Path(args[args.index("--outdir") + 1])


def test_missing_libreoffice_is_a_named_one_line_error_saying_how_to_install(tmp_path):
    source = _docx(tmp_path / "a.docx", "x")
    with pytest.raises(LibreOfficeMissing) as caught:
        convert(source, "docx", {"soffice": str(tmp_path / "no-such-soffice")}, tmp_path)
    assert isinstance(caught.value, PlanwatchError)
    message = str(caught.value)
    assert message.startswith(f"{source}: ") and "\n" not in message
    assert "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui" in message


def test_timeout_kills_the_whole_process_group(tmp_path):
    child_pid = tmp_path / "child.pid"
    body = (
        "import subprocess\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(child_pid)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body), timeout=1.5)
    source = _docx(tmp_path / "hangs.doc", "x")
    started = time.monotonic()
    with pytest.raises(ConversionTimeout, match=r"within 1.5 s and was stopped"):
        convert(source, "docx", settings, tmp_path)
    assert time.monotonic() - started < 10
    pid = int(child_pid.read_text())
    for _ in range(50):  # the killed grandchild is reaped by init shortly after
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid), "the converter's grandchild survived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for init counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_no_output_is_a_conversion_error_quoting_libreoffice(tmp_path):
    body = "print('Error: source file could not be loaded')"
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body))
    with pytest.raises(ConversionError, match=r"could not convert .*source file could not be"):
        convert(_docx(tmp_path / "a.doc", "x"), "docx", settings, tmp_path)


def test_runs_on_a_private_copy_with_a_throwaway_profile_and_no_network(tmp_path):
    seen = tmp_path / "seen.txt"
    body = (
        "out = args[args.index('--outdir') + 1]\n"
        "open(os.path.join(out, 'source.docx'), 'wb').write(open(args[-1], 'rb').read())\n"
        "net = open('/proc/self/net/dev').read().split('\\n')[2:]\n"
        "names = sorted(l.split(':')[0].strip() for l in net if ':' in l)\n"
        f"open({str(seen)!r}, 'w').write('\\n'.join([' '.join(args), os.environ['http_proxy'], ','.join(names)]))\n"
    )
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = _docx(inbox / "Отчет министерства.doc", "x")
    before = source.read_bytes()
    result = convert(source, "docx", settings, tmp_path)
    args, proxy, interfaces = seen.read_text().split("\n")
    assert result.read_bytes() == before and result.name == "Отчет министерства.docx"
    assert str(source) not in args  # LibreOffice opened a copy, not the original
    profile = next(a for a in args.split() if a.startswith("-env:UserInstallation=file://"))
    assert not Path(profile.split("file://", 1)[1]).exists()  # thrown away afterwards
    assert proxy == "http://127.0.0.1:9"
    if convert_module._can_unshare_network():
        assert interfaces == "lo"  # a private network namespace: loopback only
    assert list(inbox.iterdir()) == [source] and source.read_bytes() == before


def test_cache_by_sha256_reuses_the_conversion_without_running_again(tmp_path):
    runs = tmp_path / "runs"
    body = (
        f"open({str(runs)!r}, 'a').write('run\\n')\n"
        "out = args[args.index('--outdir') + 1]\n"
        "open(os.path.join(out, 'source.xlsx'), 'wb').write(b'converted')\n"
    )
    cache = tmp_path / "work" / ".convert-cache"
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body), cache_dir=str(cache))
    first = tmp_path / "a.xls"
    first.write_bytes(b"same bytes")
    renamed = tmp_path / "b (2).xls"
    renamed.write_bytes(b"same bytes")
    one = convert(first, "xlsx", settings)
    two = convert(renamed, "xlsx", {"soffice": "/no/soffice", "cache_dir": str(cache)})
    assert one == two and one.parent == cache and one.name.endswith(".xlsx")
    assert runs.read_text() == "run\n"
    assert [p.name for p in cache.iterdir()] == [one.name]  # no partial files left


def test_converted_removes_its_temp_output_afterwards(tmp_path):
    body = (
        "out = args[args.index('--outdir') + 1]\n"
        "open(os.path.join(out, 'source.docx'), 'wb').write(b'x')\n"
    )
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body))
    with converted(_docx(tmp_path / "a.rtf", "x"), "docx", settings) as result:
        assert result.read_bytes() == b"x"
    assert not result.exists() and not result.parent.exists()


def test_settings_are_validated():
    with pytest.raises(ValueError):
        ConvertSettings(timeout=0)
    with pytest.raises(ValueError, match="target"):
        convert(Path("a.doc"), "pdf", out_dir=Path("."))


@needs_soffice
@pytest.mark.slow
def test_real_libreoffice_round_trip_docx_doc_docx_and_xlsx_ods_xlsx(tmp_path):
    source = _docx(tmp_path / "report.docx", "Маалымат 2019-жылдын 1-жарым жылдыгы")
    doc = convert(source, "doc", None, tmp_path / "doc")
    assert doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    back = convert(doc, "docx", None, tmp_path / "back")
    document = docx.Document(str(back))
    assert document.paragraphs[0].text == "Маалымат 2019-жылдын 1-жарым жылдыгы"
    assert [c.text for c in document.tables[0].rows[1].cells] == ["15.2", "Аткарылды"]

    book = openpyxl.Workbook()
    book.active.append(["№", "Абалы"])
    book.active.append(["9.2", "Аткарылды"])
    book.save(tmp_path / "report.xlsx")
    ods = convert(tmp_path / "report.xlsx", "ods", None, tmp_path / "ods")
    xlsx = convert(ods, "xlsx", None, tmp_path / "xlsx")
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows == [("№", "Абалы"), ("9.2", "Аткарылды")]


@needs_soffice
def test_real_libreoffice_is_killed_at_the_timeout(tmp_path):
    source = _docx(tmp_path / "a.docx", "x")
    with pytest.raises(ConversionTimeout):
        convert(source, "doc", {"timeout": 0.2}, tmp_path)


def test_convert_many_fills_the_cache_in_one_run_and_leaves_failures(tmp_path):
    runs = tmp_path / "runs"
    body = (
        f"open({str(runs)!r}, 'a').write('run\\n')\n"
        "out = args[args.index('--outdir') + 1]\n"
        "for source in args[args.index('--outdir') + 2:]:\n"
        "    data = open(source, 'rb').read()\n"
        "    if data != b'broken':  # LibreOffice writes nothing for a file it cannot load\n"
        "        stem = os.path.basename(source).rsplit('.', 1)[0]\n"
        "        open(os.path.join(out, stem + '.docx'), 'wb').write(b'docx of ' + data)\n"
    )
    cache = tmp_path / "cache"
    settings = ConvertSettings(soffice=_fake_soffice(tmp_path, body), cache_dir=str(cache))
    files = []
    for name, data in [
        ("a.doc", b"one"),
        ("b.rtf", b"two"),
        ("c.odt", b"broken"),
        ("d.doc", b"one"),
    ]:
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    left = convert_many(files, "docx", settings)
    assert left == [tmp_path / "c.odt"] and runs.read_text() == "run\n"
    assert sorted(p.read_bytes() for p in cache.iterdir()) == [b"docx of one", b"docx of two"]
    assert convert(files[3], "docx", settings).read_bytes() == b"docx of one"  # from the cache
    assert convert_many(files[:2], "docx", settings) == [] and runs.read_text() == "run\n"
