"""Retention commands: purge raw data older than each school's retention period."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from surveys.cli import fail, progress
from surveys.database import begin_write
from surveys.extensions import db


@click.command("purge")
@click.option("--school", "school_slug", help="The school's slug (default: every school).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Act as if today were this date (YYYY-MM-DD).")
@with_appcontext
def purge(school_slug: str | None, today: dt.datetime | None) -> None:
    """Remove raw responses and incident descriptions older than the retention period,
    keeping the aggregates per group."""
    from surveys.models import School
    from surveys.services.organisation import OrganisationError, get_school
    from surveys.services.purge import purge_school

    if school_slug:
        try:
            schools = [get_school(school_slug)]
        except OrganisationError as exc:
            fail(str(exc))
    else:
        schools = list(db.session.scalars(select(School).order_by(School.slug)))
    day = today.date() if today else None
    lines = []
    with progress(schools, "Purging") as bar:
        for school in bar:
            begin_write()
            result = purge_school(school, day)
            db.session.commit()
            lines.append(
                f"{school.slug}: before {result.cutoff.isoformat()}: {result.responses} "
                f"responses from {len(result.waves)} wave(s) removed ({result.summaries} "
                f"aggregates kept), {result.descriptions} incident descriptions and "
                f"{result.requests} handled conversation requests removed.")
    for line in lines:
        click.echo(line)
