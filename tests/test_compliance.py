"""The compliance rules of issue 5, one by one, on the small hand-built plan.

Expected values are worked out by hand in the comments (dates, periods, counts).
"""

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ConfigError
from core.model import AgencyRef, Entry, Finding, LinkMethod, Outcome, Period
from outputs.compliance import build_compliance, due_date
from outputs.compliance_settings import ComplianceSettings
from tests.fixtures.compliance_cases import CONTINUOUS, A, B, P, measure, ref, report, small_plan


def row(result, measure_id: str, agency: str) -> pd.Series:
    df = result.compliance
    found = df[(df["measure_id"] == measure_id) & (df["agency"] == agency)]
    assert len(found) == 1, found
    return found.iloc[0]


def sub(result, agency: str, period: str) -> pd.Series:
    df = result.submissions
    found = df[(df["agency"] == agency) & (df["period"] == period)]
    assert len(found) == 1, found
    return found.iloc[0]


def build(reports=(), as_of=date(2020, 7, 20), **kw):
    return build_compliance([small_plan()], list(reports), as_of, **kw)


# --------------------------------------------------------------------------- periods


def test_due_dates_are_the_fifth_of_the_month_after_the_period():
    s = ComplianceSettings()
    assert due_date(Period(2019, 1), s) == date(2019, 7, 5)
    assert due_date(Period(2019, 2), s) == date(2020, 1, 5)
    assert due_date(Period(2019), s) == date(2020, 1, 5)
    assert due_date(Period(2019, 1), ComplianceSettings(due_day=10)) == date(2019, 7, 10)
    assert due_date(Period(2019, 2), ComplianceSettings(due_months_after=2)) == date(2020, 2, 5)


def test_settings_are_validated_and_resolved():
    with pytest.raises(ConfigError, match="due_day"):
        ComplianceSettings(due_day=0)
    with pytest.raises(ConfigError, match="timezone"):
        ComplianceSettings(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="counted_outcomes"):
        ComplianceSettings(counted_outcomes=(Outcome.REJECTED,))
    with pytest.raises(ConfigError, match="unknown"):
        ComplianceSettings.resolve({"due_dya": 3})
    assert ComplianceSettings.resolve({"due_day": 7}).due_day == 7
    assert ComplianceSettings.resolve(None) == ComplianceSettings()


# --------------------------------------------------------------------------- once deadlines


def test_once_measure_is_overdue_the_day_after_its_deadline():
    # 1.1 is due 2019-06-30: on that day it is not yet overdue, the next day it is (1 day).
    assert not row(build(as_of=date(2019, 6, 30)), "1.1", A)["overdue"]
    r = row(build(as_of=date(2019, 7, 1)), "1.1", A)
    assert r["overdue"] and r["days_overdue"] == 1
    assert r["status"] == "no_report" and r["deadline_end"] == date(2019, 6, 30)


def test_completed_after_deadline_is_not_overdue_but_shows_completion_period():
    reports = [report(A, "2019-H2", date(2020, 1, 3), [("1.1", "completed")])]
    r = row(build(reports, as_of=date(2020, 1, 10)), "1.1", A)
    assert not r["overdue"] and pd.isna(r["days_overdue"])
    assert r["status"] == "completed" and r["completed_period"] == "2019-H2"
    assert r["deadline_end"] == date(2019, 6, 30)


def test_reports_received_after_as_of_do_not_exist_yet():
    reports = [report(A, "2019-H2", date(2020, 1, 3), [("1.1", "completed")])]
    r = row(build(reports, as_of=date(2020, 1, 2)), "1.1", A)
    # 2020-01-02 - 2019-06-30 = 186 days
    assert r["overdue"] and r["days_overdue"] == 186 and r["status"] == "no_report"
    result = build(reports, as_of=date(2020, 1, 2))
    assert result.submissions["received_date"].isna().all()
    assert reports[0].file not in result.sources


def test_once_measure_stays_active_until_reported_completed():
    # 1.1 starts 2019-H1; as of 2020-07-20 the due half-years are 2019-H1, 2019-H2, 2020-H1.
    r = row(build(), "1.1", A)
    assert r["periods_missing"] == 3 and r["unreported"]
    assert r["missing_periods"] == "2019-H1; 2019-H2; 2020-H1"
    # Reported in 2019-H1 (in progress) and completed in 2019-H2: 2020-H1 is no longer active.
    reports = [
        report(A, "2019-H1", date(2019, 7, 2), [("1.1", "in_progress")]),
        report(A, "2019-H2", date(2020, 1, 2), [("1.1", "completed")]),
    ]
    r = row(build(reports), "1.1", A)
    assert r["periods_missing"] == 0 and not r["unreported"] and not r["overdue"]
    assert r["periods_due"] == 2


def test_multi_checkpoint_once_measure_counts_from_the_earliest_unmet_checkpoint():
    # 1.4: checkpoints 2018-12-31 and 2019-12-31.
    r = row(build(as_of=date(2019, 1, 10)), "1.4", A)
    assert r["overdue"] and r["days_overdue"] == 10
    assert r["checkpoints"] == "2018-12-31; 2019-12-31"
    r = row(build(as_of=date(2020, 1, 10)), "1.4", A)
    assert r["days_overdue"] == 375 and r["earliest_unmet_checkpoint"] == date(2018, 12, 31)
    done = [report(A, "2019-H1", date(2019, 7, 1), [("1.4", "completed")])]
    assert not row(build(done, as_of=date(2020, 1, 10)), "1.4", A)["overdue"]


# --------------------------------------------------------------------------- annual deadlines


def test_annual_measure_has_one_checkpoint_per_year():
    reports = [
        report(A, "2018-H2", date(2019, 1, 4), [("1.2", "completed")]),
        report(A, "2019-H1", date(2019, 7, 4), [("1.2", "in_progress")]),
        report(A, "2019-H2", date(2020, 1, 4), [("1.2", "in_progress")]),
    ]
    r = row(build(reports), "1.2", A)
    # 2018 met; 2019 unmet: 2020-07-20 - 2019-12-31 = 202 days; 2020 not yet before D.
    assert r["overdue"] and r["days_overdue"] == 202
    assert r["checkpoints"] == "2018-12-31; 2019-12-31; 2020-12-31"
    # Active: every half (completion in 2018-H2 leaves nothing of 2018 to cut).
    # Due ≤ D: 2018-H1 .. 2020-H1; missing 2018-H1 and 2020-H1; the latest (2020-H1) is missing.
    assert r["periods_missing"] == 2 and r["unreported"]
    assert r["missing_periods"] == "2018-H1; 2020-H1"
    assert r["status"] == "in_progress" and r["latest_period"] == "2019-H2"


def test_annual_completion_ends_only_the_rest_of_that_year():
    reports = [
        report(B, "2018-H1", date(2018, 7, 1), [("1.2", "completed")]),
        report(B, "2019-H1", date(2019, 7, 1), [("1.2", "completed")]),
        report(B, "2020-H1", date(2020, 7, 1), [("1.2", "in_progress")]),
    ]
    r = row(build(reports), "1.2", B)
    # 2018-H2 and 2019-H2 are not active; 2018-H1, 2019-H1, 2020-H1 are, and all reported.
    assert r["periods_due"] == 3 and r["periods_missing"] == 0 and not r["unreported"]
    assert not r["overdue"]
    assert r["completed_period"] == "2019-H1"


def test_annual_report_covers_both_halves():
    reports = [report(B, "2019", date(2020, 1, 4), [("1.2", "completed")])]
    result = build(reports)
    r = row(result, "1.2", B)
    # Completed in 2019 (its second half): 2019 met; 2018 unmet -> 2020-07-20 - 2018-12-31 = 567.
    assert r["days_overdue"] == 567 and r["missing_periods"] == "2018-H1; 2018-H2; 2020-H1"
    assert sub(result, B, "2019-H1")["received_date"] == date(2020, 1, 4)
    assert not sub(result, B, "2019-H1")["on_time"] and sub(result, B, "2019-H2")["on_time"]


# --------------------------------------------------------------------------- other kinds


def test_continuous_measure_is_never_overdue():
    r = row(build(as_of=date(2021, 1, 10)), "1.3", B)
    assert not r["overdue"] and r["unreported"] and r["periods_missing"] == 6


def test_unparsed_deadline_is_active_in_every_plan_period_and_flagged():
    result = build(as_of=date(2019, 7, 20))
    r = row(result, "1.5", B)
    assert r["deadline_unparsed"] and not r["overdue"] and r["recurrence"] == "unknown"
    assert r["periods_missing"] == 3  # 2018-H1, 2018-H2, 2019-H1
    kinds = set(result.review["kind"])
    assert {"unparsed_deadline", "unresolved_agency", "plan_finding"} <= kinds


def test_partners_are_shown_but_never_flagged():
    r = row(build(), "1.1", P)
    assert not r["obligated"]
    assert not r["overdue"] and not r["unreported"] and r["periods_missing"] == 0
    result = build()
    assert P not in set(result.agencies["agency"])
    assert P not in set(result.submissions["agency"])
    no_partners = build(settings=ComplianceSettings(include_partners=False))
    assert P not in set(no_partners.compliance["agency"])


# --------------------------------------------------------------------------- status and superseding


def test_latest_received_report_in_a_period_supersedes_the_earlier_one():
    first = report(A, "2019-H1", date(2019, 7, 3), [("1.1", "completed")], file="first.xlsx")
    second = report(A, "2019-H1", date(2019, 7, 10), [("1.1", "in_progress")], file="second.docx")
    result = build([second, first], as_of=date(2019, 8, 1))
    r = row(result, "1.1", A)
    assert r["status"] == "in_progress" and r["evidence"] == "second.docx: row 2"
    assert r["overdue"] and r["days_overdue"] == 32  # 2019-08-01 - 2019-06-30
    # The submission counts the earliest receipt: on time.
    s = sub(result, A, "2019-H1")
    assert (
        s["received_date"] == date(2019, 7, 3) and s["on_time"] and s["report_file"] == "first.xlsx"
    )
    sup = result.review[result.review["kind"] == "superseded_report"]
    assert list(sup["file"]) == ["first.xlsx"]
    # As of a day before the second arrived, the first one rules.
    assert row(build([second, first], as_of=date(2019, 7, 5)), "1.1", A)["status"] == "completed"


def test_status_comes_from_the_latest_period_not_the_latest_receipt():
    late_h1 = report(A, "2019-H1", date(2020, 1, 20), [("1.2", "not_started")])
    h2 = report(A, "2019-H2", date(2020, 1, 4), [("1.2", "unclear")])
    r = row(build([late_h1, h2]), "1.2", A)
    assert r["status"] == "unclear" and r["latest_period"] == "2019-H2"


def test_unlinked_and_rejected_do_not_count_but_go_to_review():
    unlinked = Entry(
        None,
        "completed",
        "Иш жүргүзүлдү",
        LinkMethod.NONE,
        0.2,
        "row 9",
        review_reason="no measure",
    )
    reports = [
        report(A, "2019-H1", date(2019, 7, 1), [unlinked, ("9.9", "completed")]),
        report(
            B,
            "2019-H1",
            date(2019, 7, 1),
            [("1.3", "completed")],
            outcome=Outcome.REJECTED,
            reason="corrupt",
        ),
        report(None, None, date(2019, 7, 2), outcome=Outcome.NEEDS_REVIEW, reason="unknown agency"),
    ]
    result = build(reports, as_of=date(2019, 7, 20))
    assert row(result, "1.3", B)["status"] == "no_report"
    assert pd.isna(sub(result, B, "2019-H1")["received_date"])
    kinds = result.review["kind"].tolist()
    assert {"unlinked_entry", "unknown_measure", "rejected_file", "needs_review_file"} <= set(kinds)
    rejected = result.review[result.review["kind"] == "rejected_file"].iloc[0]
    assert rejected["detail"] == "corrupt" and rejected["agency"] == B


def test_needs_review_reports_count_as_received():
    reports = [
        report(
            B,
            "2019-H1",
            date(2019, 7, 1),
            [("1.3", "in_progress")],
            outcome=Outcome.NEEDS_REVIEW,
            reason="low link confidence",
        )
    ]
    result = build(reports, as_of=date(2019, 7, 20))
    assert sub(result, B, "2019-H1")["on_time"] and row(result, "1.3", B)["status"] == "in_progress"
    strict = build(
        reports, as_of=date(2019, 7, 20), settings={"counted_outcomes": (Outcome.ACCEPTED,)}
    )
    assert pd.isna(sub(strict, B, "2019-H1")["received_date"])


# --------------------------------------------------------------------------- submissions and rates


def test_on_time_on_the_due_day_itself_late_the_day_after():
    on_day = build([report(A, "2019-H1", date(2019, 7, 5))], as_of=date(2019, 7, 20))
    day_after = build([report(A, "2019-H1", date(2019, 7, 6))], as_of=date(2019, 7, 20))
    assert sub(on_day, A, "2019-H1")["on_time"]
    assert not sub(day_after, A, "2019-H1")["on_time"]
    assert sub(day_after, A, "2019-H1")["received_date"] == date(2019, 7, 6)


def test_expected_received_on_time_and_rates():
    reports = [
        report(A, "2018-H1", date(2018, 7, 5), [("1.2", "in_progress")]),
        report(A, "2019-H1", date(2019, 7, 8), [("1.1", "in_progress"), ("1.2", "in_progress")]),
        report(B, "2018", date(2019, 1, 4), [("1.2", "in_progress"), ("1.3", "in_progress")]),
    ]
    result = build(reports, as_of=date(2019, 7, 20))
    # A: 2018-H1 (1.2), 2018-H2 (1.2, 1.4), 2019-H1 (1.1, 1.2, 1.4) expected; 2019-H2 not yet.
    assert sub(result, A, "2018-H2")["measures_expected"] == 2
    s = sub(result, A, "2019-H1")
    assert (
        s["expected"]
        and not s["on_time"]
        and s["measures_expected"] == 3
        and s["measures_reported"] == 2
    )
    assert not sub(result, A, "2019-H2")["expected"]
    # B's annual 2018 report: late for 2018-H1 (due 2018-07-05), on time for 2018-H2.
    assert not sub(result, B, "2018-H1")["on_time"] and sub(result, B, "2018-H2")["on_time"]
    agencies = result.agencies.set_index("agency")
    assert agencies.loc[A, "expected"] == 3 and agencies.loc[A, "received"] == 2
    assert agencies.loc[A, "reporting_rate"] == pytest.approx(2 / 3)
    assert agencies.loc[A, "on_time_rate"] == pytest.approx(1 / 3)
    assert agencies.loc[B, "reporting_rate"] == pytest.approx(2 / 3)
    assert agencies.loc[B, "on_time_rate"] == pytest.approx(1 / 3)
    assert result.figures["reporting_rate"] == pytest.approx(4 / 6)
    assert result.figures["on_time_rate"] == pytest.approx(2 / 6)


def test_an_agency_with_every_measure_completed_is_no_longer_expected():
    reports = [
        report(
            B,
            "2018-H1",
            date(2018, 7, 1),
            [("1.2", "completed"), ("1.3", "completed"), ("1.5", "completed")],
        ),
    ]
    result = build(reports, as_of=date(2019, 1, 20))
    assert sub(result, B, "2018-H1")["expected"]
    assert B not in set(result.submissions.loc[result.submissions["period"] == "2018-H2", "agency"])


def test_result_is_deterministic_and_typed():
    reports = [
        report(
            A, "2019-H1", date(2019, 7, 1), [("1.1", "completed")], file="x.xlsx", first_seen=None
        )
    ]
    one, two = build(reports), build(reports)
    pd.testing.assert_frame_equal(one.compliance, two.compliance)
    assert list(one.compliance.columns[:13]) == [
        "plan_id", "measure_id", "agency", "obligated", "deadline_end", "recurrence", "status",
        "latest_period", "overdue", "days_overdue", "unreported", "periods_missing", "evidence",
    ]  # fmt: skip
    assert list(one.submissions.columns) == [
        "agency", "period", "due_date", "expected", "received_date", "received_source",
        "on_time", "report_file", "measures_expected", "measures_reported",
    ]  # fmt: skip
    empty = build_compliance([], [], date(2020, 1, 1))
    assert empty.compliance.empty and empty.figures["overdue"] == 0


def test_groups_and_conventions_are_not_rows_and_findings_are_not_repeated():
    group = AgencyRef(
        "министрликтер жана ведомстволор", "*министрликтер", obligated=True, is_group=True
    )
    convention = AgencyRef("АБЖК", "АБЖК", kind="convention")
    plan = small_plan()
    plan = type(plan)(
        **{
            **plan.__dict__,
            "measures": (*plan.measures, measure("1.6", CONTINUOUS, [ref(A), group, convention])),
            "findings": (
                *plan.findings,
                Finding(
                    "deadline_unparsed",
                    "deadline 'жакынкы убакта' could not be read",
                    "decree.txt:L15",
                    "error",
                    "1.5",
                ),
            ),
        }
    )
    result = build_compliance([plan], [], date(2020, 7, 20))
    assert set(result.compliance.loc[result.compliance["measure_id"] == "1.6", "agency"]) == {A}
    review = result.review
    unparsed = review[review["kind"] == "unparsed_deadline"]
    assert list(unparsed["detail"]) == ["deadline 'жакынкы убакта' could not be read"]
    assert list(unparsed["location"]) == ["decree.txt:L15"]
    assert list(review.loc[review["kind"] == "agency_group", "measure_id"]) == ["1.6"]
    assert list(review.loc[review["kind"] == "plan_finding", "detail"]) == [
        "task_gap: task 3 is missing"
    ]


def test_without_a_date_the_first_seen_time_counts_in_bishkek_time():
    # 2019-07-05 20:00 UTC is already 6 July in Bishkek (UTC+6): late.
    late = report(A, "2019-H1", None, first_seen=datetime(2019, 7, 5, 20, 0))
    on_time = report(A, "2019-H1", None, first_seen=datetime(2019, 7, 4, 20, 0))
    for r, day, ok in ((late, date(2019, 7, 6), False), (on_time, date(2019, 7, 5), True)):
        s = sub(build([r], as_of=date(2019, 7, 20)), A, "2019-H1")
        assert (s["received_date"], s["received_source"], s["on_time"]) == (day, "first_seen", ok)


def test_partner_rows_follow_and_a_later_plan_version_wins():
    newer = small_plan(title="Small plan, amended", sha256="1" * 64)
    result = build_compliance([small_plan(), newer], [], date(2020, 7, 20))
    obligated = result.compliance["obligated"].tolist()
    assert obligated == sorted(obligated, reverse=True) and not obligated[-1]
    assert result.figures["plans"] == 1 and len(result.measures) == len(newer.measures)
    assert not result.compliance.duplicated(["plan_id", "measure_id", "agency"]).any()


# --------------------------------------------------------------------------- invariants

PERIODS = [f"{y}-H{h}" for y in (2018, 2019, 2020) for h in (1, 2)] + ["2019"]
STATUSES = ["completed", "in_progress", "not_started", "unclear"]
MEASURES = ["1.1", "1.2", "1.3", "1.4", "1.5"]
days = st.dates(min_value=date(2018, 1, 1), max_value=date(2021, 6, 30))
reports_strategy = st.lists(
    st.builds(
        lambda agency, period, received, entries: report(agency, period, received, entries),
        st.sampled_from([A, B, P]),
        st.sampled_from(PERIODS),
        days,
        st.lists(st.tuples(st.sampled_from(MEASURES), st.sampled_from(STATUSES)), max_size=5),
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None)
@given(reports=reports_strategy, as_of=days)
def test_invariants_hold_for_any_ledger(reports, as_of):
    result = build(reports, as_of=as_of)
    c = result.compliance
    assert (c["overdue"] == c["days_overdue"].notna()).all()
    assert (c["days_overdue"].dropna() >= 1).all()
    assert (c["periods_missing"] <= c["periods_due"]).all()
    assert (~c["unreported"] | (c["periods_missing"] >= 1)).all()
    partners = c[~c["obligated"]]
    assert not partners["overdue"].any() and not partners["unreported"].any()
    assert not c.loc[c["recurrence"].isin(["continuous", "unknown"]), "overdue"].any()
    # A status always comes from a report received by the as-of day.
    seen = {r.file for r in reports if r.received_date <= as_of}
    assert all(e.split(": ")[0] in seen for e in c["evidence"] if e)
    s = result.submissions
    assert (~s["on_time"] | s["received_date"].notna()).all()
    assert (s.loc[s["expected"], "due_date"] <= as_of).all()
    assert (s["measures_reported"] <= s["measures_expected"]).all()
    for rate_name in ("reporting_rate", "on_time_rate"):
        value = result.figures[rate_name]
        assert value is None or 0 <= value <= 1


# --------------------------------------------------------------------------- issue 15


def test_overdue_kind_tells_reported_not_done_from_no_information():
    reports = [report(A, "2019-H2", date(2020, 1, 3), [("1.4", "in_progress")])]
    result = build(reports)
    # 1.4 (A) reported in progress past its checkpoints: the agency said it is not done.
    assert row(result, "1.4", A)["overdue_kind"] == "reported_not_done"
    # 1.1 (A) due 2019-06-30, nothing from A about it: no information.
    assert row(result, "1.1", A)["overdue_kind"] == "no_information"
    # Not overdue (continuous 1.3, partner P): empty.
    assert row(result, "1.3", B)["overdue_kind"] == "" and not row(result, "1.3", B)["overdue"]
    assert row(result, "1.1", P)["overdue_kind"] == ""
    ob = result.compliance[result.compliance["obligated"]]
    f = result.figures
    assert f["overdue_reported_not_done"] + f["overdue_no_information"] == f["overdue"]
    assert f["overdue_reported_not_done"] == 1 and f["measures_overdue_reported_not_done"] == 1
    assert f["overdue_no_information"] == int((ob["overdue_kind"] == "no_information").sum())
    # A is the default coordinator (ЭСӨМ): its overdue rows are counted apart.
    assert f["coordinator_overdue"] == int((ob["overdue"] & (ob["agency"] == A)).sum()) > 0
    agencies = result.agencies.set_index("agency")
    assert agencies.loc[A, "coordinator"] and not agencies.loc[B, "coordinator"]
    assert agencies.loc[A, "overdue_reported_not_done"] == 1


def test_track_from_drops_earlier_half_years_from_expected_and_missing():
    before = build()
    after = build(settings=ComplianceSettings(track_from="2019-H1"))
    # 1.3 (B, continuous from 2018): 2018-H1 and 2018-H2 were missing; now not expected.
    assert row(before, "1.3", B)["missing_periods"] == "2018-H1; 2018-H2; 2019-H1; 2019-H2; 2020-H1"
    assert row(after, "1.3", B)["missing_periods"] == "2019-H1; 2019-H2; 2020-H1"
    assert not sub(after, B, "2018-H1")["expected"] and sub(before, B, "2018-H1")["expected"]
    assert after.figures["expected"] == before.figures["expected"] - 4  # A and B, 2018-H1/H2
    # Overdue is a rule about deadlines, not about tracked reports: unchanged.
    assert after.figures["overdue"] == before.figures["overdue"]
    # The default tracks from the plan's first half-year: the same figures.
    same = build(settings=ComplianceSettings(track_from="2018-H1"))
    assert same.figures == before.figures
    with pytest.raises(ConfigError, match="track_from"):
        ComplianceSettings(track_from="2019")
    with pytest.raises(ConfigError, match="coordinator"):
        ComplianceSettings(coordinator=" ")
    assert ComplianceSettings.resolve({"track_from": "2019-H2"}).track_from == Period(2019, 2)


def test_track_from_and_coordinator_come_from_toml_env_and_flags(tmp_path):
    from flows.config import load_settings

    (tmp_path / "planwatch.toml").write_text('inbox = "."\ntrack_from = "2019-H1"\n')
    base = load_settings(tmp_path / "planwatch.toml", env={})
    assert (base.track_from, base.coordinator) == ("2019-H1", "ЭСӨМ")
    env = {"PLANWATCH_TRACK_FROM": "2019-H2", "PLANWATCH_COORDINATOR": "БИМ"}
    from_env = load_settings(tmp_path / "planwatch.toml", env=env)
    assert (from_env.track_from, from_env.coordinator) == ("2019-H2", "БИМ")
    flagged = load_settings(tmp_path / "planwatch.toml", {"track_from": "2020-H1"}, env=env)
    assert flagged.track_from == "2020-H1"
