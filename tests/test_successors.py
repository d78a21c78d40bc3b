"""Reports from bodies renamed or merged since the plan count for the plan's agencies."""

from __future__ import annotations

from datetime import date, datetime

from core.model import Entry, LinkMethod, Outcome, Period, Report, Status
from outputs.compliance import build_compliance
from outputs.successors import credit_successors

AS_OF = date(2020, 12, 31)


def report(agency: str, *measure_ids: str, name: str = "letter.docx") -> Report:
    entries = tuple(
        Entry(
            measure_id=m,
            status=Status.COMPLETED,
            progress_text=f"{m} аткарылды",
            link_method=LinkMethod.REFERENCE,
            confidence=1.0,
            location=f"table 1 row {i}",
        )
        for i, m in enumerate(measure_ids, 1)
    )
    return Report(
        file=name,
        sha256=name.encode().hex()[:64],
        size=100,
        first_seen=datetime(2020, 12, 1),
        outcome=Outcome.ACCEPTED,
        agency=agency,
        period=Period(2020, 2),
        received_date=date(2020, 12, 1),
        received_source="content",
        entries=entries,
        plan_id=None,
    )


def test_a_renamed_body_reports_for_its_predecessor(seed_plan):
    (credited,) = credit_successors([report("ЭСКММ", "4.7", "20.3")], [seed_plan])
    assert credited.agency == "ЭСӨМ" and len(credited.entries) == 2


def test_a_merged_body_is_credited_entry_by_entry(seed_plan):
    merged = report("СССӨМ", "4.7", "8.1", "15.1", "6.1")  # ЭСӨМ, ССМ, both, ССМ (+БИМ)
    out = credit_successors([merged], [seed_plan])
    by_agency = {r.agency: [e.measure_id for e in r.entries] for r in out}
    assert by_agency["ЭСӨМ"] == ["4.7"]
    assert by_agency["ССМ"] == ["8.1", "6.1"]
    (left,) = by_agency["СССӨМ"]  # 15.1 obligates both halves: a person decides
    assert left == "15.1"
    unclear = next(r for r in out if r.agency == "СССӨМ").entries[0]
    assert "ССМ" in unclear.review_reason and "ЭСӨМ" in unclear.review_reason


def test_plan_agencies_and_unrelated_bodies_are_left_alone(seed_plan):
    reports = [report("БИМ", "1.1", name="a.docx"), report("УНИСЕФ", "1.1", name="b.docx")]
    assert credit_successors(reports, [seed_plan]) == reports


def test_compliance_counts_the_successors_reports(seed_plan):
    reports = [report("ЭСКММ", "4.7", name="a.docx"), report("СССӨМ", "8.1", "15.1", name="b.docx")]
    rows = build_compliance([seed_plan], reports, AS_OF).compliance.set_index(
        ["measure_id", "agency"]
    )
    assert "a.docx" in str(rows.loc[("4.7", "ЭСӨМ")].to_dict())
    assert "b.docx" in str(rows.loc[("8.1", "ССМ")].to_dict())
    for agency in ("ССМ", "ЭСӨМ"):  # not credited to either half
        assert "b.docx" not in str(rows.loc[("15.1", agency)].to_dict())
    review = build_compliance([seed_plan], reports, AS_OF).review
    assert review.astype(str).apply(lambda c: c.str.contains("15.1")).any().any()
