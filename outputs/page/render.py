"""Fill the page template and write `overdue-<as_of>.<lang>.html` atomically.

Jinja2 (it comes with Prefect) with autoescape on: every text from a decree, a report or a
file name is escaped; only the SVG charts, built with markupsafe in `charts`, are markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.files import write_atomic
from core.model import RunRecord
from core.once import once
from core.vocab import load_vocab
from outputs.changes import Since
from outputs.compliance import ComplianceResult
from outputs.labels import DEFAULT_LANG, LABELS_FILE, Labels, load_labels
from outputs.page.charts import Series, bar_chart, line_chart
from outputs.page.model import OPEN_CHANGES, agency_files, page_model

PAGE_NAME = "overdue-{as_of}.{lang}.html"
TEMPLATES = Path(__file__).parent / "templates"
# Chart colours: dark enough on white; the two kinds and the two rates also differ by dash.
KIND_COLOURS = {"reported_not_done": "#C0392B", "no_information": "#E59866"}
RATE_COLOURS = {"reporting_rate": "#1F618D", "on_time_rate": "#27AE60"}


def validate_page_labels(data: Any) -> str | None:
    """The `page` section of labels.yaml: every key has every language."""
    langs, page = data.get("languages", []), data.get("page")
    if not isinstance(page, dict) or not page:
        return "group 'page' missing or empty"
    for key, words in page.items():
        for lang in langs:
            if not isinstance(words, dict) or not str(words.get(lang) or "").strip():
                return f"page.{key}: no {lang!r} text"
    return None


class PageWords:
    """The page's own words (`page` section) beside the workbook's `Labels`."""

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.table = load_vocab("outputs", LABELS_FILE, validate_page_labels)["page"]

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key][self.labels.lang]
        return text.format(**values) if values else text


@once
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a misspelt name fails the test, not the morning page
        trim_blocks=True,
        lstrip_blocks=True,
    )


def charts(model: dict[str, Any], labels: Labels, words: PageWords) -> dict[str, Any]:
    kinds = [
        Series(k, labels.word("overdue_kinds", k), KIND_COLOURS[k], dash)
        for k, dash in (("reported_not_done", ""), ("no_information", "6 4"))
    ]
    rates = [
        Series(k, labels.header(k), RATE_COLOURS[k], dash)
        for k, dash in (("reporting_rate", ""), ("on_time_rate", "6 4"))
    ]
    points = model["trend"]["points"]
    return {
        "bars": bar_chart(
            "bars", model["bars"], kinds, labels.text("chart_title"), words("bars_desc")
        ),
        "rates": line_chart(
            "rates",
            points,
            rates,
            words("trend_rates"),
            words("trend_rates"),
            percent=True,
            date_text=labels.date,
        ),
        "overdue": line_chart(
            "overdue",
            points,
            kinds,
            words("trend_overdue"),
            words("trend_overdue"),
            date_text=labels.date,
        ),  # fmt: skip
        "kinds": kinds,
    }


def render_page(model: dict[str, Any], labels: Labels) -> str:
    words = PageWords(labels)
    template = environment().get_template("page.html")
    return template.render(
        m=model,
        L=labels,
        W=words,
        charts=charts(model, labels, words),
        open_changes=OPEN_CHANGES,
    )


def write_page(
    result: ComplianceResult,
    out_dir: Path,
    *,
    lang: str = DEFAULT_LANG,
    runs: Iterable[RunRecord] = (),
    since: Since | None = None,
    workbook: Path | None = None,
) -> Path:
    """`out_dir/overdue-<as_of>.<lang>.html`: the page beside the workbook (linked by its
    file name), archived files linked relative to the workdir (`../archive/…`)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = load_labels(lang)
    model = page_model(result, labels, runs, since, workbook.name if workbook else None)
    model["agency_files"] = agency_files(out_dir, result.as_of, labels)
    html = render_page(model, labels)
    path = out_dir / PAGE_NAME.format(as_of=result.as_of.isoformat(), lang=lang)
    return write_atomic(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
