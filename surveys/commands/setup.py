"""Set-up commands: migrate, create schools and accounts, load the demo school."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveys.cli import fail, steps
from surveys.extensions import db


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    from surveys.migrate import upgrade

    upgrade(db.engine)
    click.echo("Database is up to date.")


@click.command("create-school")
@click.argument("slug")
@click.argument("name")
@with_appcontext
def create_school(slug: str, name: str) -> None:
    """Create a school with a short SLUG (letters, digits, dashes) and a display NAME."""
    from surveys.services.organisation import OrganisationError
    from surveys.services.organisation import create_school as create

    try:
        create(slug, name)
    except OrganisationError as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    click.echo(f"School {slug!r} created.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help='As pupils see it: "juf Sanne".')
@click.option(
    "--role", type=click.Choice(["admin", "director", "teacher", "coordinator"]), required=True
)
@click.option("--school", "school_slug", help="Required for every role but admin.")
@click.password_option(help="Asked for when not given; at least 10 characters.")
@with_appcontext
def create_user(
    email: str, display_name: str, role: str, school_slug: str | None, password: str
) -> None:
    """Create a staff account."""
    from surveys.services.accounts import AccountError
    from surveys.services.accounts import create_user as create

    try:
        create(
            email=email,
            display_name=display_name,
            role=role,
            school_slug=school_slug,
            password=password,
        )
    except AccountError as exc:
        db.session.rollback()
        fail(str(exc))
    db.session.commit()
    click.echo(f"Account {email} ({role}) created.")


@click.command("demo")
@click.option("--schools", default=1, show_default=True, type=click.IntRange(1, 1000))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 30))
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has a school.")
@with_appcontext
def demo(schools: int, years: int, seed: int, if_empty: bool) -> None:
    """Load a fictional demo school (or a synthetic board of N schools) with demo logins."""
    from surveys.migrate import upgrade
    from surveys.services.demo import (
        DEMO_PASSWORD,
        build_demo,
        database_is_empty,
        existing_logins,
    )

    upgrade(db.engine)  # a new database gets its tables first, an existing one is left as is
    if if_empty and not database_is_empty():
        click.echo("The database already has a school; the demo was not loaded.")
        logins = existing_logins()
        if not logins:
            return
        click.echo("Demo logins at http://127.0.0.1:5000/login:")
    else:
        try:
            with steps(schools * years, "Building the demo") as step:
                logins = build_demo(schools=schools, years=years, seed=seed, on_step=step)
        except ValueError as exc:
            db.session.rollback()
            fail(str(exc))
        click.echo("Demo loaded. Log in at http://127.0.0.1:5000/login with:")
    for email, role in logins:
        click.echo(f"  {role:<12} {email:<32} password: {DEMO_PASSWORD}")
