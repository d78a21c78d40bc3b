"""Real phrases from public pages (tests/data/real_phrases.json): agency names in running
text and in lists, deadline phrases and letter dates, each with its source and the expected
reading. None may be read silently wrong; the share read right is printed for the record
(`pytest -s tests/test_real_phrases.py`)."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from normalizers.agencies import find_agencies, resolve
from normalizers.deadlines import parse_deadline, parse_report_date

PHRASES = json.loads((Path(__file__).parent / "data/real_phrases.json").read_text("utf-8"))
ROWS = PHRASES["phrases"]
RIGHT_SHARE = 0.95  # the target


def _day(text):
    return date.fromisoformat(text) if text else None


def _years(row):
    return tuple(row["plan_years"]) if row.get("plan_years") else None


def judge_agency(row) -> str:
    on = _day(row.get("on"))
    if row.get("mode") == "cell":
        refs = resolve(row["text"], on=on)
    else:
        refs = find_agencies(row["text"], on=on)
    sure = {r.code for r in refs if r.code and r.confident and not r.is_group}
    doubted = [r for r in refs if not r.confident or r.code is None]
    expected, expected_doubt = set(row["codes"]), set(row.get("flagged", ()))
    if sure - expected:
        return "wrong"  # a body named for certain that the text does not name
    if sure == expected and expected_doubt <= {r.code for r in doubted}:
        return "right"  # certain where it should be, doubtful where it should be
    missing = expected - sure
    if missing <= {r.code for r in doubted} or (doubted and row.get("mode") == "cell"):
        return "flagged"  # what is not certain is shown to a person
    if row.get("mode") != "cell" and not sure:
        return "flagged"  # nothing certain in a letter: the report goes to review
    return "wrong"  # an expected body silently missing beside certain ones


def judge_deadline(row) -> str:
    d = parse_deadline(row["text"], _years(row))
    want = row["expect"]
    if want.get("flag"):  # a relative phrase: the right reading is a flag, never a date
        return "right" if not d.confident else "wrong"
    got = {"start": d.start, "end": d.end, "recurrence": str(d.recurrence)}
    same = all(got[k] == (_day(v) if k != "recurrence" else v) for k, v in want.items())
    if same and d.confident:
        return "right"
    return "flagged" if not d.confident else "wrong"


def judge_date(row) -> str:
    got = parse_report_date(row["text"], _years(row))
    if got is None:
        return "flagged"
    return "right" if got == _day(row["expect"]["date"]) else "wrong"


JUDGES = {"agency": judge_agency, "deadline": judge_deadline, "date": judge_date}


def test_the_set_is_big_and_sourced():
    assert len(ROWS) >= 60
    assert all(r["source"].startswith("http") and r["text"].strip() for r in ROWS)
    assert {r["kind"] for r in ROWS} == set(JUDGES)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['kind']}:{r['text'][:40]}" for r in ROWS])
def test_no_phrase_is_read_silently_wrong(row):
    assert JUDGES[row["kind"]](row) != "wrong", row


def test_share_read_right():
    verdicts = Counter(JUDGES[r["kind"]](r) for r in ROWS)
    total = sum(verdicts.values())
    print(
        f"\nreal phrases: {total}; right {verdicts['right']} ({verdicts['right'] / total:.0%}),"
        f" flagged {verdicts['flagged']}, silently wrong {verdicts['wrong']}"
    )
    assert verdicts["wrong"] == 0
    assert verdicts["right"] / total >= RIGHT_SHARE
