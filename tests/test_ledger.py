import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.model import (
    AgencyRef,
    Chapter,
    DateSource,
    Deadline,
    Entry,
    Finding,
    LinkMethod,
    Measure,
    Outcome,
    Period,
    Plan,
    Provenance,
    Recurrence,
    Report,
    Status,
)
from core.serialize import plan_from_json, plan_to_json, report_from_dict, report_to_dict
from ledger.db import LEDGER_FILE, Ledger
from ledger.supersede import latest_reports, superseded_by

T0 = datetime(2020, 7, 1, 8, 0)
H1_2019 = Period(2019, 1)


def small_plan(sha: str = "a" * 64, text: str = "Изилдөө жүргүзүү") -> Plan:
    measure = Measure(
        plan_id="nap-2018-2020",
        measure_id="1.1",
        task_no=1,
        goal_id="1.1",
        chapter_no=1,
        task_text="Эмгек маселелерин жөнгө салуу",
        text=text,
        deadline_raw="2019-жылдын 1-жарым жылдыгы",
        responsible_raw="ЭСӨМ, макулдашуу боюнча: ЖӨБО",
        provenance=Provenance("decree.txt", lines=(97, 98)),
        cells={"deadline": Provenance("decree.txt", lines=(98,))},
        deadline=Deadline(
            "2019-жылдын 1-жарым жылдыгы",
            date(2019, 1, 1),
            date(2019, 6, 30),
            Recurrence.ONCE,
            [date(2019, 6, 30)],
            True,
        ),
        agencies=(
            AgencyRef("ЭСӨМ", "ЭСӨМ", obligated=True, confident=True, score=100.0),
            AgencyRef("ЖӨБО", "ЖӨБО", by_agreement=True, is_group=True, score=91.5),
        ),
    )
    return Plan(
        plan_id="nap-2018-2020",
        title="Иш-аракеттердин улуттук планы",
        source="decree.txt",
        sha256=sha,
        years=(2018, 2020),
        chapters=(Chapter(1, "Аялдардын экономикалык мүмкүнчүлүктөрүн кеңейтүү"),),
        measures=(measure,),
        findings=(Finding("task_gap", "task 7 missing", "decree.txt:L200", measure_id="6.1"),),
    )


def report(sha: str, agency="БИМ", period=H1_2019, received=date(2019, 7, 3), **kw):
    entries = (
        Entry(
            "4.3", Status.COMPLETED, "Курстар өткөрүлдү", LinkMethod.REFERENCE, 1.0, "table 1 row 2"
        ),
        Entry(
            None,
            Status.UNCLEAR,
            "=HYPERLINK(...)",
            LinkMethod.NONE,
            0.0,
            "page 1 para 4",
            review_reason="no measure matched",
        ),
    )
    defaults = dict(
        file=f"{sha[:6]} отчет.docx",
        sha256=sha * 64 if len(sha) == 1 else sha,
        size=1234,
        first_seen=T0,
        outcome=Outcome.ACCEPTED,
        agency=agency,
        period=period,
        received_date=received,
        received_source=DateSource.CONTENT,
        entries=entries,
        stored_path="archive/ab/abc.docx",
        plan_id="nap-2018-2020",
    )
    defaults.update(kw)
    return Report(**defaults)


@pytest.fixture
def ledger(tmp_path):
    with Ledger.for_workdir(tmp_path / "work") as led:
        yield led


def test_plan_json_round_trip_keeps_normalized_fields():
    plan = small_plan()
    back = plan_from_json(plan_to_json(plan))
    assert back == plan
    m = back.measures[0]
    assert m.cells == plan.measures[0].cells  # compare=False field: check it explicitly
    assert m.deadline.checkpoints == [date(2019, 6, 30)]
    assert m.obligated_codes == ("ЭСӨМ",)
    assert json.loads(plan_to_json(plan))["measures"][0]["agencies"][1]["score"] == 91.5


def test_report_dict_round_trip_through_json():
    r = report("b", first_seen=datetime(2020, 7, 1, 8, 0, 5, 123456))
    data = json.loads(json.dumps(report_to_dict(r), ensure_ascii=False))
    assert data["period"] == {"year": 2019, "half": 1}
    assert report_from_dict(data) == r


def test_seed_plan_round_trips_through_ledger(tmp_path, seed_plan):
    plan = seed_plan
    assert len(plan.measures) == 117
    assert plan_from_json(plan_to_json(plan)) == plan
    with Ledger.for_workdir(tmp_path) as led:
        assert led.save_plan(plan) is True
        assert led.plans() == [plan]


def test_save_plan_once_per_decree_sha_and_latest_version_wins(ledger):
    v1, v2 = small_plan("1" * 64), small_plan("2" * 64, text="Изилдөө жүргүзүү (редакция)")
    assert ledger.save_plan(v1) is True
    assert ledger.save_plan(v1) is False
    assert ledger.has_plan_sha("1" * 64) and not ledger.has_plan_sha("2" * 64)
    assert ledger.plans() == [v1]
    assert ledger.save_plan(v2) is True
    assert ledger.plans() == [v2]
    # by bytes: the older decree's plan is still there for a run configured with it
    assert ledger.plan_by_sha("1" * 64) == v1 and ledger.plan_by_sha("2" * 64) == v2
    assert ledger.plan_by_sha("3" * 64) is None


def test_known_files_answers_for_many_shas_at_once(ledger, monkeypatch):
    recorded = [report(f"{i:064x}") for i in range(7)]
    for r in recorded:
        ledger.record(r)
    monkeypatch.setattr("ledger.db.SQL_IN_CHUNK", 3)  # several chunks, one partly empty
    asked = [f"{i:064x}" for i in range(10)] + [recorded[0].sha256]
    assert ledger.known_files(asked) == {r.sha256 for r in recorded}
    assert ledger.known_files([]) == set()


def test_record_and_read_back_with_entries(ledger, tmp_path):
    r = report("c")
    assert not ledger.has_file(r.sha256)
    ledger.record(r)
    assert ledger.has_file(r.sha256)
    assert ledger.reports() == [r]
    assert ledger.report(r.sha256).entries[1].review_reason == "no measure matched"
    assert (tmp_path / "work" / LEDGER_FILE).is_file()


def test_record_is_idempotent_on_sha256(ledger):
    r = report("d")
    ledger.record(r)
    ledger.record(replace(r, file="other name.docx", outcome=Outcome.REJECTED, entries=()))
    assert ledger.reports() == [r]
    with ledger.engine.connect() as conn:
        n_entries = conn.exec_driver_sql("select count(*) from entries").scalar()
    assert n_entries == 2


def test_reports_ordered_by_first_seen_and_aware_times_stored_as_utc(ledger):
    late = report("e", first_seen=datetime(2020, 7, 2, 12, tzinfo=UTC))
    early = report("f", first_seen=datetime(2020, 7, 2, 9, tzinfo=UTC) + timedelta(hours=6))
    ledger.record(late)
    ledger.record(early)
    got = ledger.reports()
    assert [r.sha256[0] for r in got] == ["e", "f"]
    assert got[0].first_seen == datetime(2020, 7, 2, 12)  # naive UTC


def test_ledger_reopens_with_same_data(tmp_path):
    with Ledger.for_workdir(tmp_path) as led:
        led.save_plan(small_plan())
        led.record(report("a"))
    with Ledger.for_workdir(tmp_path) as led:
        assert [r.sha256[0] for r in led.reports()] == ["a"]
        assert led.plans() == [small_plan()]


def test_record_without_sha_is_refused(ledger):
    with pytest.raises(ValueError, match="sha256"):
        ledger.record(report("a", sha256=""))


def test_newer_report_supersedes_for_same_agency_and_period():
    first = report("1", received=date(2019, 7, 3))
    correction = report("2", received=date(2019, 7, 20), first_seen=T0 + timedelta(days=19))
    other_period = report("3", period=Period(2019, 2), received=date(2020, 1, 4))
    other_agency = report("4", agency="ССМ")
    annual = report("5", period=Period(2019))
    rejected_newer = report("6", outcome=Outcome.REJECTED, received=date(2019, 8, 1))
    no_agency = report("7", agency=None)
    reports = [first, correction, other_period, other_agency, annual, rejected_newer, no_agency]
    latest = latest_reports(reports)
    assert {r.sha256[0] for r in latest} == {"2", "3", "4", "5"}
    assert superseded_by(reports) == {first.sha256: correction.sha256}
    # order of the input does not change the choice
    assert latest_reports(list(reversed(reports))) == latest


def test_same_received_date_later_first_seen_wins():
    a = report("a", first_seen=T0)
    b = report("b", first_seen=T0 + timedelta(minutes=5), outcome=Outcome.NEEDS_REVIEW)
    assert latest_reports([b, a]) == [b]


@pytest.fixture
def own_postgres_db(postgres_url):
    """A database of this test's own on the session's server: other tests share `planwatch`."""
    url = sa.make_url(postgres_url)
    name = "ledger_test"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.mark.postgres
def test_same_ledger_on_postgresql(own_postgres_db):
    """The unchanged code on a PostgreSQL URL."""
    plan = small_plan("9" * 64)
    r = report("9", first_seen=datetime(2020, 7, 1, 8, 0, 1, 5))
    with Ledger(own_postgres_db) as led:
        assert led.save_plan(plan) is True
        assert led.save_plan(plan) is False
        led.record(r)
        led.record(replace(r, file="again.docx"))
        assert led.reports() == [r]
        assert led.plans() == [plan] and led.plan_by_sha("9" * 64) == plan
        assert led.known_files(["9" * 64, "8" * 64]) == {r.sha256}
