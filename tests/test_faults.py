"""Fault injection (issue 11): kill -9 during `planwatch ingest`, a hostile inbox, hostile
names, small files that ask for unbounded work, and the embedded server after a kill.

Every case runs the real code on generated files (tests/fixtures/hostile.py); the kill
trials are seeded, so a failure names the trial that reproduces it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.model import Outcome
from ledger.db import Ledger
from ledger.inbox import ingest_file
from tests.conftest import SEED_DECREE
from tests.fixtures.hostile import huge_page_pdf, many_rows_csv, many_rows_xlsx, xxe_docx
from tests.fixtures.kill_trials import kill_trials, run_ingest, run_nightly
from tests.fixtures.report_files import write_csv_report, write_docx_report, write_text_report

pytestmark = [pytest.mark.slow, pytest.mark.faults]

ROOT = Path(__file__).parents[1]
NOW = datetime(2020, 7, 20, 3, 0, tzinfo=UTC)
PERIOD_KY = "2019-жылдын 2-жарым жылдыгы"
BIM_ENTRIES = [
    ("p", "4.3", "аткарылды", "Окутуучулар үчүн квалификациясын жогорулатуу курстары өткөрүлдү."),
    ("plain", "4.2", "аткарылууда", "Методикалык окуу куралдары иштелип чыгууда."),
]
CP1251_NAME = "Отчет ССМ.txt".encode("cp1251")


def hostile_inbox(inbox: Path) -> Path:
    """Good reports, refused files and a name that is not UTF-8: every path of ingest."""
    inbox.mkdir()
    write_text_report(inbox / "БИМ отчет.txt", "БИМ", PERIOD_KY, "03.01.2020 № 1", BIM_ENTRIES)
    write_csv_report(inbox / "БИМ 2.csv", "БИМ", PERIOD_KY, "04.01.2020 № 2", BIM_ENTRIES[:1])
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "broken.xlsx").write_bytes(b"not a zip at all" * 10)
    (inbox / "noise.bin").write_bytes(bytes(range(256)) * 4)
    with open(os.fsencode(inbox) + b"/" + CP1251_NAME, "wb") as f:
        f.write("Бул отчет эмес.\n".encode())
    return inbox


@pytest.fixture(scope="module")
def base_workdir(tmp_path_factory, seed_plan):
    """A workdir whose ledger already holds the seed plan (as after a first night)."""
    base = tmp_path_factory.mktemp("base") / "work"
    empty = base.parent / "empty"
    empty.mkdir()
    assert run_ingest(empty, base, SEED_DECREE) == 0
    return base


def test_kill_9_during_ingest_loses_nothing_and_duplicates_nothing(tmp_path, base_workdir):
    inbox = hostile_inbox(tmp_path / "inbox")
    stats = kill_trials(inbox, base_workdir, SEED_DECREE, tmp_path / "trials", trials=10, seed=11)
    assert stats.trials == 10 and stats.killed >= 5, stats  # most kills land mid-run
    assert (stats.crashes, stats.lost, stats.duplicates, stats.wrong) == (0, 0, 0, 0), stats
    assert stats.leftovers == 0, stats


def test_ingest_names_what_it_skips_and_prints_no_escape_sequences(tmp_path, base_workdir):
    from cli.ingest import command

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "\x1b]0;owned\x07\x1b[31mred\x1b[0m.txt").write_text("not a report", "utf-8")
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "pipe.csv")
    (inbox / "folder").mkdir()
    with open(os.fsencode(inbox) + b"/" + CP1251_NAME, "wb") as f:
        f.write(b"\x00\x01 not text")
    work = tmp_path / "work"
    shutil.copytree(base_workdir, work)
    args = ["--inbox", str(inbox), "--workdir", str(work), "--decree", str(SEED_DECREE)]
    result = CliRunner().invoke(command, [*args, "--settle", "0"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "Отчет ССМ.txt" in result.output  # the cp1251 name, shown decoded
    assert "passwd.txt  symbolic link (not followed)" in result.output
    assert "pipe.csv  named pipe (FIFO), not a file" in result.output
    assert "folder  folder" in result.output
    with Ledger.for_workdir(work) as ledger:
        files = sorted(r.file for r in ledger.reports())
    assert len(files) == 2 and "Отчет ССМ.txt" in files  # the ledger keeps the real name
    assert any(name.startswith("\x1b]0;owned") for name in files)
    secret = Path("/etc/passwd").read_bytes()
    assert not any(p.is_file() and p.read_bytes() == secret for p in work.rglob("*"))


@pytest.fixture
def ledger(tmp_path):
    with Ledger.for_workdir(tmp_path / "work") as opened:
        yield opened


def timed_ingest(path: Path, ledger, plans, work: Path):
    started = time.monotonic()
    report = ingest_file(path, ledger, plans, work, now=NOW)
    return report, time.monotonic() - started


def test_a_2kb_pdf_with_a_200_inch_page_is_refused_before_rendering(tmp_path, ledger, seed_plan):
    pdf = huge_page_pdf(tmp_path / "huge page.pdf")
    assert pdf.stat().st_size < 4096
    report, seconds = timed_ingest(pdf, ledger, [seed_plan], tmp_path / "work")
    assert report.outcome == Outcome.REJECTED, report.reason
    assert "max_page_pixels" in report.reason and "3,600,000,000" in report.reason
    assert seconds < 30


@pytest.mark.parametrize("declare_size", [True, False])
def test_a_million_row_workbook_is_refused_before_parsing(
    tmp_path, ledger, seed_plan, declare_size
):
    book = many_rows_xlsx(tmp_path / "rows.xlsx", 1_000_000, declare_size=declare_size)
    report, seconds = timed_ingest(book, ledger, [seed_plan], tmp_path / "work")
    assert report.outcome == Outcome.REJECTED, report.reason
    assert "too many rows" in report.reason and "max_rows" in report.reason
    assert seconds < 30  # was 178 CPU-s and 1 GB


def test_more_rows_than_max_entries_is_refused_before_the_entry_reader(tmp_path, ledger, seed_plan):
    from extractors.report_settings import MAX_ENTRIES

    report, _ = timed_ingest(
        many_rows_csv(tmp_path / "many.csv", MAX_ENTRIES + 1), ledger, [seed_plan], tmp_path / "w"
    )
    assert report.outcome == Outcome.REJECTED and "max_entries" in report.reason
    assert ledger.report(report.sha256).entries == ()


def test_an_xml_entity_is_said_not_silently_dropped(tmp_path, ledger, seed_plan):
    good = write_docx_report(tmp_path / "good.docx", "БИМ", PERIOD_KY, "03.01.2020 № 1", [])
    report, _ = timed_ingest(
        xxe_docx(tmp_path / "entity.docx", good), ledger, [seed_plan], tmp_path / "work"
    )
    assert report.outcome == Outcome.REJECTED
    assert "declares XML entities" in report.reason and "word/document.xml" in report.reason


HOLD_SERVER = """
import sys, time
from pathlib import Path
from flows.prefect_env import embedded_run, prepare_prefect_env
prepare_prefect_env(Path(sys.argv[1]))
with embedded_run():
    from prefect.client.orchestration import get_client
    from prefect.server.api.server import SubprocessASGIServer
    with get_client(sync_client=True) as client:
        client.hello()
    server = next(s for s in SubprocessASGIServer._instances.values() if s.server_process)
    print(server.server_process.pid, flush=True)
    time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        return "\tZ" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1][:4]
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="the watchdog reads /proc")
def test_the_embedded_server_dies_with_a_killed_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "600"  # a busy CI box
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_SERVER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        server = int(holder.stdout.readline())
        assert alive(server)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 20
    while alive(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(server):
        os.kill(server, signal.SIGKILL)
        pytest.fail("the embedded Prefect server outlived its killed parent")


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    """One loopback Prefect server for the forked `planwatch run`s (as `serve` would have):
    each run then starts in seconds instead of starting an embedded server of its own."""
    from flows.serve import PrefectServer

    with PrefectServer(tmp_path_factory.mktemp("prefect")) as server:
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = server.api_url
        try:
            yield server.api_url
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous


# Ten kill moments in two halves of five (seeds: each trial kills at its own moment). One
# test worker runs both, sharing the loopback server and the base workdir: since the forked
# runs use that server instead of each starting its own, a half takes ~50 s, not minutes.
@pytest.mark.slow
@pytest.mark.xdist_group("kill_runs")
@pytest.mark.parametrize("seed", [12, 13])
def test_kill_9_during_the_nightly_run_loses_nothing(tmp_path, base_workdir, prefect_api, seed):
    import flows.nightly  # noqa: F401  warm imports: each forked run starts at once

    inbox = hostile_inbox(tmp_path / "inbox")
    stats = kill_trials(
        inbox,
        base_workdir,
        SEED_DECREE,
        tmp_path / "trials",
        trials=5,
        seed=seed,
        command=run_nightly,
    )
    assert stats.trials == 5 and stats.killed >= 3, stats
    assert (stats.crashes, stats.lost, stats.duplicates, stats.wrong) == (0, 0, 0, 0), stats
    assert stats.leftovers == 0, stats
