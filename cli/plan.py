"""`planwatch plan DECREE --out DIR [--compare OTHER]`: extract the action plan of a decree.

DECREE may be any form `extractors.decree` reads; its content decides which. Writes
`DIR/measures.csv`, `DIR/measures.parquet`, `DIR/abbreviations.csv` and `DIR/qa.csv`, prints
the counts and every QA finding. With `--compare OTHER` (the decree's text in the other
language, Kyrgyz or Russian, in either order) it also reads OTHER and writes
`DIR/compare.csv`: what differs between the two texts (outputs.plan_compare). An unreadable
decree raises `UnreadableDecree`, which `cli.main` prints as one line (`error: <file>:
<reason>`, exit 2).
"""

from __future__ import annotations

from pathlib import Path

import click

from cli.options import creatable_folder
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


def read_plan(decree: Path) -> Plan:
    """The decree's checked plan with deadlines and agencies normalized (and their QA)."""
    # Imported here: `planwatch --help` and every other command start without them.
    from cli.progress import progress
    from extractors.decree import read_decree
    from extractors.ocr_pages import reading_pages

    with progress("plan: OCR", "pages") as bar, reading_pages(bar):  # a scan: pages read
        plan = read_decree(decree)
        from normalizers.plan_normalize import normalize_plan  # spaCy: once the decree is read

        return normalize_plan(plan)


def compare_lines(plan: Plan, other: Plan, out_dir: Path) -> list[str]:
    """Compare the two texts, write compare.csv, and say what was found."""
    from outputs.plan_compare import by_language, compare_plans, write_compare

    ky, ru = by_language(plan, other)
    differences = compare_plans(ky, ru)
    path = write_compare(differences, out_dir)
    lines = [f"compare: {ky.source} (ky) vs {ru.source} (ru): {len(differences)} difference(s)"]
    lines += [f"  {d.finding} {d.measure_id} {d.field}: {d.ky!r} | {d.ru!r}" for d in differences]
    return [*lines, f"wrote {path}"]


@click.command()
@click.argument("decree", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for measures.csv/.parquet, abbreviations.csv and qa.csv (created if needed).",
)
@click.option(
    "--compare",
    "other",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The same decree in the other language (Kyrgyz/Russian, either order): "
    "write compare.csv with what differs between the two texts.",
)
def command(decree: Path, out_dir: Path, other: Path | None) -> None:
    """Extract the action plan from DECREE (a PDF, converter text or markdown) into tables
    under --out."""
    creatable_folder(out_dir, "--out")  # a slip answers before any reading
    plan = read_plan(decree)  # deadlines + agencies; adds their QA findings
    from normalizers.plan_normalize import normalized_columns
    from outputs.plan_tables import write_plan_tables

    paths = write_plan_tables(plan, out_dir, extra=[normalized_columns])
    for line in summary_lines(plan):
        click.echo(line)
    click.echo("wrote " + ", ".join(str(p) for p in paths))
    if other is not None:
        for line in compare_lines(plan, read_plan(other), out_dir):
            click.echo(line)
