"""`planwatch plan DECREE --out DIR`: extract the action plan of a decree into tables.

DECREE may be a PDF or the text/markdown a PDF converter made of one; its content decides
which. Writes `DIR/measures.csv`, `DIR/measures.parquet`, `DIR/abbreviations.csv` and
`DIR/qa.csv`, prints the counts and every QA finding. An unreadable decree raises
`UnreadableDecree`, which `cli.main` prints as one line (`error: <file>: <reason>`, exit 2).
"""

from __future__ import annotations

from pathlib import Path

import click

from core.model import Plan


def summary_lines(plan: Plan) -> list[str]:
    years = f"{plan.years[0]}-{plan.years[1]}" if plan.years else "years unknown"
    lines = [
        f"plan {plan.plan_id} ({years}): {plan.title}",
        f"{len(plan.chapters)} chapters, {len(plan.goals)} goals, {len(plan.tasks)} tasks, "
        f"{len(plan.measures)} measures, {len(plan.abbreviations)} abbreviations",
        f"QA: {len(plan.findings)} finding(s)",
    ]
    lines += [f"  {f.severity} {f.code} at {f.location}: {f.message}" for f in plan.findings]
    return lines


@click.command()
@click.argument("decree", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for measures.csv/.parquet, abbreviations.csv and qa.csv (created if needed).",
)
def command(decree: Path, out_dir: Path) -> None:
    """Extract the action plan from DECREE (.pdf, .txt or .md) into tables under --out."""
    # Imported here: spaCy and pandas load only once the arguments are known good.
    from cli.progress import progress
    from extractors.decree import read_decree
    from extractors.ocr_pages import reading_pages
    from normalizers.plan_normalize import normalize_plan, normalized_columns
    from outputs.plan_tables import write_plan_tables

    with progress("plan: OCR", "pages") as bar, reading_pages(bar):  # a scan: pages read
        plan = normalize_plan(read_decree(decree))  # deadlines + agencies; adds QA findings
    paths = write_plan_tables(plan, out_dir, extra=[normalized_columns])
    for line in summary_lines(plan):
        click.echo(line)
    click.echo("wrote " + ", ".join(str(p) for p in paths))
