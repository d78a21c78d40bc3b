"""Agency names in the workbook: the plan's body, and today's beside it when it changed."""

from __future__ import annotations

from datetime import date

from outputs.agency_names import full_name, full_name_today


def test_a_body_renamed_since_the_plan_shows_todays_name_beside_it():
    for lang, today in (("ky", "Эмгек, социалдык камсыздоо жана миграция"), ("ru", "миграции")):
        shown = full_name_today("ЭСӨМ", lang, date(2024, 1, 1))
        plan_name, now = shown.split(" → ")
        assert plan_name == full_name("ЭСӨМ", lang) and today in now


def test_before_the_change_and_for_unchanged_bodies_only_the_name():
    assert full_name_today("ЭСӨМ", "ky", date(2020, 7, 20)) == full_name("ЭСӨМ", "ky")
    assert full_name_today("БИМ", "ru", date(2024, 1, 1)) == full_name("БИМ", "ru")
    assert full_name_today("ССМ", "ky", date(2024, 1, 1)) == full_name("ССМ", "ky")  # same name
    assert full_name_today("Белгисиз", "ky") == "Белгисиз"
