"""The yearly report and the exports on the command line (``report``, ``export``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from surveys.cli import fail, school_option


def _target(school_slug: str, year_name: str, wave_name: str | None):  # type: ignore[no-untyped-def]
    from surveys.services.analysis_data import find_wave
    from surveys.services.organisation import OrganisationError, find_year, get_school

    try:
        school = get_school(school_slug)
    except OrganisationError as exc:
        fail(str(exc))
    year = find_year(school, year_name)
    if year is None:
        fail(f"{school.slug} has no school year {year_name}")
    wave = find_wave(year, wave_name)
    if wave is None:
        which = f"wave {wave_name!r}" if wave_name else "survey wave"
        fail(f"{school.slug} has no {which} in {year_name}")
    return school, year, wave


def _write(out: Path, content: bytes) -> None:
    if out.parent and not out.parent.exists():
        fail(f"the folder {out.parent} does not exist")
    try:
        out.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")


OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                   help="The file to write.")


@click.command("report")
@school_option
@click.option("--year", "year_name", required=True, help="School year, e.g. 2026-2027.")
@click.option("--wave", "wave_name", help="Wave name; default: the year's latest wave.")
@OUT
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def report(school_slug: str, year_name: str, wave_name: str | None, out: Path,
           lang: str) -> None:
    """Write the yearly report of a school year as a PDF (summary, attention list, charts,
    incidents, reliability, improvement points)."""
    from surveys.services.report import build_report

    school, year, wave = _target(school_slug, year_name, wave_name)
    _write(out, build_report(school, year, wave, lang=lang))
    click.echo(f"wrote {out}")


@click.command("export")
@click.argument("kind", type=click.Choice(["aggregates", "inspectie", "raw"]))
@school_option
@click.option("--year", "year_name", required=True, help="School year, e.g. 2026-2027.")
@click.option("--wave", "wave_name", help="Wave name; default: the year's latest wave.")
@OUT
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def export(kind: str, school_slug: str, year_name: str, wave_name: str | None, out: Path,
           lang: str) -> None:
    """Export a wave: aggregates (CSV), inspectie (the Inspectie's school figures, CSV) or raw
    (anonymous answers with a codebook, ZIP). Every export protects groups under k."""
    from flask_babel import force_locale

    from surveys.services import exports

    school, year, wave = _target(school_slug, year_name, wave_name)
    with force_locale(lang):
        result = exports.build(kind, school, year, wave, lang=lang)
    _write(out, result.content)
    if kind == "raw":
        click.echo("Warning: these are pupils' answers (anonymous, one row per answer). Keep "
                   "the file on the school's own systems.", err=True)
    click.echo(f"wrote {out}")


COMMANDS = [report, export]
