"""Analysis commands: the attention list."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from surveys.cli import fail, school_option


@click.command("attention")
@school_option
@click.option("--year", "year_name", required=True, help="School year, e.g. 2026-2027.")
@click.option("--wave", "wave_name", help="Wave name; default: the year's latest wave.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True)
@click.option("--lang", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def attention(school_slug: str, year_name: str, wave_name: str | None, fmt: str,
              lang: str) -> None:
    """The groups that need attention, with the reasons in plain words (DESIGN §7)."""
    from surveys.services.analysis_data import AnalysisInputError, attention_for
    from surveys.services.organisation import OrganisationError, get_school

    try:
        school = get_school(school_slug)
        result = attention_for(school, year_name, wave_name)
    except (OrganisationError, AnalysisInputError) as exc:
        fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(result.to_json_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(result.to_text(lang), nl=False)
