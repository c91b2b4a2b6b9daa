"""Data commands: CSV imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from surveys.cli import existing_file, fail, school_option
from surveys.database import begin_write
from surveys.extensions import db
from surveys.services.imports import ImportRefused, ImportResult
from surveys.services.organisation import OrganisationError, get_school


def run_import(
    school_slug: str, file: Path, importer: Callable[..., ImportResult], what: str
) -> None:
    try:
        school = get_school(school_slug)
    except OrganisationError as exc:
        fail(str(exc))
    data = file.read_bytes()
    begin_write()
    try:
        result = importer(school, data)
    except ImportRefused as exc:
        db.session.rollback()
        for problem in exc.problems[1:]:
            click.echo(f"  also {problem}", err=True)
        fail(f"{file.name} was not imported, nothing changed: {exc.problems[0]}")
    db.session.commit()
    created = (
        ", ".join(f"{n} {kind}" for kind, n in sorted(result.created.items())) or "nothing new"
    )
    click.echo(f"Imported {result.rows} {what} rows from {file.name}: {created}.")


@click.command("import-groups")
@school_option
@existing_file
@with_appcontext
def import_groups(school_slug: str, file: Path) -> None:
    """Import groups: school_year,group,grades,size,teachers,previous_group."""
    from surveys.services.imports import import_groups as importer

    run_import(school_slug, file, importer, "group")


@click.command("import-responses")
@school_option
@existing_file
@with_appcontext
def import_responses(school_slug: str, file: Path) -> None:
    """Import answers: school_year,wave,group,grade,respondent,instrument,version,item,value."""
    from surveys.services.imports import import_responses as importer

    run_import(school_slug, file, importer, "answer")


@click.command("import-incidents")
@school_option
@existing_file
@with_appcontext
def import_incidents(school_slug: str, file: Path) -> None:
    """Import incidents: date,group,category,handled_by,description."""
    from surveys.services.imports import import_incidents as importer

    run_import(school_slug, file, importer, "incident")
