"""The HTML page (issue 17): its numbers are the datasets' numbers, the trend over recorded
runs, escaping; and, in a real headless Chromium (Debian's, driven by Selenium, nothing
downloaded), no console error, no network request, the grid's states on the sample inbox,
the table filtered to one agency, a landscape PDF with every column on the page."""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from cli.main import cli
from core.model import RunRecord
from ledger.db import Ledger
from outputs.compliance import build_compliance
from outputs.compliance_settings import ComplianceSettings
from outputs.labels import load_labels
from outputs.page import write_page
from outputs.page.charts import MAX_X_LABELS
from outputs.page.model import MAX_RUNS, STATE_COLOURS, trend_model
from outputs.workbook.submissions import STATE_FILLS
from tests.fixtures.compliance_cases import A, B, report, small_plan

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples/inbox"
DECREE = ROOT / "samples/decrees/decree-443-2012-gender-equality-nap-2018-2020.ky.txt"
AS_OF = "2020-07-20"
HOSTILE = '<script>alert(1)</script> & "quoted" <img src=x onerror=alert(2)>'
MAX_BYTES = 3 * 1024 * 1024


def run_report(workdir: Path, *args: str):
    result = CliRunner().invoke(
        cli, ["report", "--workdir", str(workdir), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


def parse(path: Path):
    return lxml_html.fromstring(path.read_text(encoding="utf-8"))


def text(node) -> str:
    return " ".join(node.text_content().split())


# --------------------------------------------------------------------------- no browser


@pytest.fixture
def small_workdir(tmp_path):
    with Ledger.for_workdir(tmp_path) as ledger:
        ledger.save_plan(small_plan())
        for r in (
            report(A, "2019-H1", date(2019, 7, 1), [("1.1", "in_progress", HOSTILE)]),
            report(B, "2019-H2", date(2020, 1, 9), [("1.2", "completed"), ("1.3", "in_progress")]),
        ):
            ledger.record(r)
    return tmp_path


def test_report_writes_the_page_with_the_datasets_numbers(small_workdir):
    out = run_report(small_workdir, "--as-of", AS_OF).output
    page = small_workdir / "out" / f"overdue-{AS_OF}.ky.html"
    assert str(page) in out and page.stat().st_size < MAX_BYTES
    assert_page_has_the_datasets_numbers(page, small_workdir / "out")


def test_page_links_the_reminder_packages_written_beside_it(small_workdir):
    run_report(small_workdir, "--as-of", AS_OF, "--lang", "ru", "--per-agency")
    out = small_workdir / "out"
    page = out / f"overdue-{AS_OF}.ru.html"
    links = [a.get("href") for a in parse(page).xpath("//details[@id='agency-files']//a")]
    written = sorted(str(p.relative_to(out)) for p in (out / "agencies").rglob(f"*{AS_OF}.ru.*"))
    assert written and sorted(links) == written  # every package linked, each link a file
    assert parse(page).xpath("//header//a")[0].get("href") == f"overdue-{AS_OF}.ru.xlsx"


def assert_page_has_the_datasets_numbers(page: Path, out: Path) -> None:
    """Headline cards, overdue table rows and days, grid states: as compliance.parquet and
    submissions.parquet say."""
    doc = parse(page)
    comp = pd.read_parquet(out / "compliance.parquet")
    subs = pd.read_parquet(out / "submissions.parquet")
    overdue = comp[comp["obligated"] & comp["overdue"]]
    cards = {c.get("id"): c.xpath("span")[0].text for c in doc.xpath("//div[@class='card']")}
    kinds = overdue["overdue_kind"].value_counts()
    assert int(cards["card-reported-not-done"]) == kinds.get("reported_not_done", 0)
    assert int(cards["card-no-information"]) == kinds.get("no_information", 0)
    exp = subs[subs["expected"]]
    assert cards["card-reporting-rate"] == f"{round(100 * exp['received_date'].notna().mean())}%"
    assert cards["card-on-time-rate"] == f"{round(100 * exp['on_time'].mean())}%"
    # the overdue table: one row per overdue (measure, agency) pair of compliance.csv
    rows = doc.xpath("//table[@id='overdue-table']/tbody/tr")
    got = sorted(
        (r.get("data-agency"), r.get("data-kind"), r.xpath("td[2]/strong")[0].text) for r in rows
    )
    want = sorted(
        zip(
            overdue["agency"],
            overdue["overdue_kind"],
            overdue["measure_id"].astype(str),
            strict=True,
        )
    )
    assert got == want and len(got) > 0  # fmt: skip
    days = {(r.get("data-agency"), r.xpath("td[2]/strong")[0].text): int(text(r.xpath("td[5]")[0])) for r in rows}  # fmt: skip
    for r in overdue.to_dict("records"):
        assert days[(r["agency"], str(r["measure_id"]))] == r["days_overdue"]
    # the grid: each (agency, half-year) cell says the submissions dataset's state
    for cell in doc.xpath("//table[@id='grid']//td[@data-state]"):
        sub = subs[(subs["agency"] == cell.get("data-agency")) & (subs["period"] == cell.get("data-period"))]  # fmt: skip
        received = sub["received_date"].notna().any()
        if cell.get("data-state") in ("on_time", "late"):
            assert received and bool(sub["on_time"].iloc[0]) == (
                cell.get("data-state") == "on_time"
            )
        else:
            assert not received


def test_page_escapes_report_text_and_links_evidence(small_workdir):
    with Ledger.for_workdir(small_workdir) as ledger:
        reports = ledger.reports()
        result = build_compliance(ledger.plans(), reports, date(2020, 7, 20), ComplianceSettings())
    # put the hostile text where a page shows data: the plan title and an agency's file name
    result = dataclasses.replace(result, plan_titles={"p1": HOSTILE})
    page = write_page(result, small_workdir / "out", lang="ru")
    raw = page.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    doc = parse(page)
    assert text(doc.xpath("//h1")[0]) == " ".join(HOSTILE.split())
    assert len(doc.xpath("//script")) == 1  # the page's own, nothing from data
    assert doc.get("lang") == "ru" and page.name == f"overdue-{AS_OF}.ru.html"
    for a in doc.xpath("//a[@href]"):  # every link stays on the page or beside it: no host
        assert "://" not in a.get("href") and not a.get("href").startswith("//")


def run_record(i: int, day: date, counts: dict, plan_ids=("p1",)) -> RunRecord:
    return RunRecord(i, datetime(2020, 1, 1), day, plan_ids, counts, ())


def test_trend_one_point_per_day_latest_run_wins_other_plans_left_out(small_workdir):
    with Ledger.for_workdir(small_workdir) as ledger:
        result = build_compliance(ledger.plans(), ledger.reports(), date(2020, 7, 20), ComplianceSettings())  # fmt: skip
    c = {"expected": 10, "received": 5, "overdue_reported_not_done": 1, "overdue_no_information": 2}
    runs = [
        run_record(1, date(2020, 7, 1), c),  # recorded before `on_time` was kept: a gap
        run_record(2, date(2020, 7, 1), {**c, "received": 6, "on_time": 3}),  # same day: wins
        run_record(3, date(2020, 7, 5), {**c, "on_time": 2}, plan_ids=("other",)),
        run_record(4, date(2020, 7, 8), {k: v for k, v in c.items()}),
    ]
    t = trend_model(runs, result)
    assert [p["as_of"] for p in t["points"]] == [
        date(2020, 7, 1),
        date(2020, 7, 8),
        date(2020, 7, 20),
    ]
    assert t["points"][0]["reporting_rate"] == 0.6 and t["points"][0]["on_time_rate"] == 0.3
    assert t["points"][1]["on_time_rate"] is None
    f = result.figures
    assert t["points"][-1]["reporting_rate"] == pytest.approx(f["reporting_rate"])
    assert t["points"][-1]["no_information"] == f["overdue_no_information"]
    many = [run_record(i, date(2019, 1, 1) + timedelta(days=i), c) for i in range(400)]
    long = trend_model(many, result)
    assert long["total"] == 401 and long["shown"] == MAX_RUNS == len(long["points"])
    assert long["points"][-1]["as_of"] == result.as_of


def test_trend_with_many_runs_thins_date_labels_and_says_what_it_left_out(small_workdir):
    with Ledger.for_workdir(small_workdir) as ledger:
        result = build_compliance(ledger.plans(), ledger.reports(), date(2020, 7, 20), ComplianceSettings())  # fmt: skip
    c = {"expected": 10, "received": 5, "on_time": 2, "overdue_no_information": 2}
    many = [run_record(i, date(2019, 1, 1) + timedelta(days=i), c) for i in range(200)]
    page = write_page(result, small_workdir / "out", lang="ky", runs=many)
    doc = parse(page)
    svg = doc.xpath("//section[@id='trend']//svg")[0]
    dates = [t for t in svg.xpath(".//text") if "." in (t.text or "") and "%" not in t.text]
    assert 2 <= len(dates) <= MAX_X_LABELS
    assert dates[-1].text == "20.07.2020"  # the last run is always labelled
    assert not svg.xpath(".//circle")  # no dot per run beyond a month of runs
    note = text(doc.xpath("//section[@id='trend']/p")[0])
    assert str(MAX_RUNS) in note and "201" in note
    assert len(doc.xpath("//table[@id='trend-data']/tbody/tr")) == MAX_RUNS


def test_grid_uses_the_workbooks_state_colours():
    for state, fill in STATE_FILLS.items():
        assert STATE_COLOURS[state].lstrip("#") == fill.fgColor.rgb[-6:]


# --------------------------------------------------------------------------- the browser

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def sample_pages(tmp_path_factory):
    """The sample inbox through `planwatch ingest` and two `planwatch report` runs (ky, ru)
    as of 2020-07-20, tracked from 2019-H1 as in planwatch.toml."""
    base = tmp_path_factory.mktemp("page")
    inbox, work = base / "inbox", base / "work"
    shutil.copytree(SAMPLES, inbox)
    runner = CliRunner()
    args = ["ingest", "--inbox", str(inbox), "--workdir", str(work), "--decree", str(DECREE)]
    ingest = runner.invoke(cli, [*args, "--settle", "0"], catch_exceptions=False)
    assert ingest.exit_code == 0, ingest.output
    for lang in ("ky", "ru"):
        run_report(work, "--as-of", AS_OF, "--lang", lang, "--track-from", "2019-H1")
    return work


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.common.exceptions import WebDriverException

    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip(f"no Debian chromium/chromium-driver at {CHROMIUM}, {CHROMEDRIVER}")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        browser = webdriver.Chrome(
            service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options
        )
    except WebDriverException as e:
        pytest.skip(f"chromium could not start: {e.msg}")
    yield browser
    browser.quit()


def requests_made(driver) -> list[str]:
    """URLs the page asked for beyond itself (DevTools performance log + resource timing)."""
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    urls = [u for u in urls if not u.startswith("file://") or not u.endswith(".html")]
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return urls + resources


def open_page(driver, path: Path) -> None:
    driver.get_log("browser"), driver.get_log("performance")  # start from empty logs
    driver.get(path.as_uri())


@pytest.mark.slow
def test_sample_page_in_chromium_no_errors_no_requests_grid_states(driver, sample_pages, tmp_path):
    out = sample_pages / "out"
    subs = pd.read_parquet(out / "submissions.parquet")
    for lang in ("ky", "ru"):
        page = out / f"overdue-{AS_OF}.{lang}.html"
        assert page.stat().st_size < MAX_BYTES
        assert_page_has_the_datasets_numbers(page, out)
        open_page(driver, page)
        assert driver.title.startswith(load_labels(lang).text("title"))
        driver.save_screenshot(str(tmp_path / f"first-screen.{lang}.png"))
        assert (tmp_path / f"first-screen.{lang}.png").stat().st_size > 10_000
        errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == []
        assert requests_made(driver) == []
    # Hand-computed from the sample files (samples/README.md) and the due dates (the 5th of
    # the month after the half-year): БИМ_2019-1.xlsx is dated 2019-07-03, before
    # 2019-07-05: on time. ММТМ маалымат 2020-H1.txt is dated 10.07.2020: 5 days late.
    # Nothing from ФМ for 2019-H2: missing.
    state = "return document.querySelector(`#grid td[data-agency='${arguments[0]}'][data-period='${arguments[1]}']`)"
    cell = driver.execute_script(state, "БИМ", "2019-H1")
    assert cell.get_attribute("data-state") == "on_time"
    assert cell.text.startswith(load_labels("ru").word("states", "on_time"))
    cell = driver.execute_script(state, "ММТМ", "2020-H1")
    assert cell.get_attribute("data-state") == "late"
    assert cell.text.startswith(load_labels("ru").word("states", "late_days").format(days=5))
    assert driver.execute_script(state, "ФМ", "2019-H2").get_attribute("data-state") == "missing"
    colour = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", cell)
    amber = STATE_COLOURS["late"].lstrip("#")
    assert colour == "rgb({}, {}, {})".format(*(int(amber[i : i + 2], 16) for i in (0, 2, 4)))
    # every received cell agrees with the submissions dataset
    for r in subs[subs["received_date"].notna()].to_dict("records"):
        found = driver.execute_script(state, r["agency"], r["period"])
        if found is not None:
            assert found.get_attribute("data-state") == ("on_time" if r["on_time"] else "late")


@pytest.mark.slow
def test_sample_page_filters_sorts_and_prints_landscape(driver, sample_pages, tmp_path):
    import base64

    import pdfplumber
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = sample_pages / "out" / f"overdue-{AS_OF}.ky.html"
    open_page(driver, page)
    rows = driver.find_elements(By.CSS_SELECTOR, "#overdue-table tbody tr")
    agencies = {r.get_attribute("data-agency") for r in rows}
    assert len(rows) > 10 and len(agencies) > 3
    Select(driver.find_element(By.ID, "f-agency")).select_by_value("ИИМ")
    shown = [r for r in rows if r.is_displayed()]
    assert shown and {r.get_attribute("data-agency") for r in shown} == {"ИИМ"}
    assert driver.find_element(By.ID, "f-count").text == str(len(shown))
    # sort by days, keyboard only: focus the header's button and press Enter twice
    Select(driver.find_element(By.ID, "f-agency")).select_by_value("")
    button = driver.find_element(By.CSS_SELECTOR, "#overdue-table th:nth-child(5) button")
    button.send_keys("\n")
    days = [int(r.find_element(By.CSS_SELECTOR, "td:nth-child(5)").text) for r in driver.find_elements(By.CSS_SELECTOR, "#overdue-table tbody tr")]  # fmt: skip
    assert days == sorted(days) and days[0] < days[-1]
    # 200 % zoom on a 1280 px screen: 640 CSS px; the page reflows, nothing wider than it
    # (the grid scrolls inside its own box)
    metrics = {"width": 640, "height": 450, "deviceScaleFactor": 2, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        wide = "return [document.documentElement.scrollWidth, window.innerWidth]"
        scroll_width, inner = driver.execute_script(wide)
        assert inner == 640 and scroll_width <= inner
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    # print: A4 landscape, every column of the overdue table on the page
    pdf = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            "landscape": True,
            "paperWidth": 11.69,
            "paperHeight": 8.27,
            "preferCSSPageSize": True,
        },  # fmt: skip
    )
    path = tmp_path / "page.ky.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    labels = load_labels("ky")
    heads = ["agency", "text", "deadline_end", "overdue_kind", "days_overdue", "status", "evidence"]
    with pdfplumber.open(path) as doc:
        first = doc.pages[0]
        assert first.width > first.height  # landscape
        table_page = next(p for p in doc.pages if labels.header("evidence").split()[0] in (p.extract_text() or ""))  # fmt: skip
        for key in heads:  # every header word on the page, inside the paper's width
            for word in labels.header(key).split():
                hits = table_page.search(word, regex=False)
                assert hits, (key, word)
                assert any(h["x0"] >= 0 and h["x1"] <= table_page.width for h in hits)
    assert path.stat().st_size > 10_000


def test_nightly_markdown_names_the_page_beside_the_workbook_inert(tmp_path):
    from flows.artifacts import InboxRun, NightlySummary, summary_markdown

    folder = tmp_path / "out`[x](javascript:alert(1))|"
    folder.mkdir()
    book = folder / f"overdue-{AS_OF}.ky.xlsx"
    summary = NightlySummary(date(2020, 7, 20), ("p1",), InboxRun(), workbooks=(book,))
    assert summary.page is None and "**Page:**" not in summary_markdown(summary)
    (folder / f"overdue-{AS_OF}.ky.html").write_text("<html></html>", encoding="utf-8")
    assert summary.page == folder / f"overdue-{AS_OF}.ky.html"
    line = next(x for x in summary_markdown(summary).splitlines() if x.startswith("**Page:**"))
    assert "overdue-2020-07-20.ky.html" in line and "](javascript" not in line and "|" not in line.replace("\\|", "")  # fmt: skip
