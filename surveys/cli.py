"""The command line: ``flask --app surveys COMMAND``.

Every command exits non-zero with a one-line reason on bad input and changes nothing when it
fails; long-running commands show click's progress bar on a terminal and stay quiet otherwise.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask
from flask.cli import AppGroup

from surveys.extensions import db

T = TypeVar("T")


def fail(message: str) -> None:
    """Stop the command with a one-line reason and exit status 1."""
    raise click.ClickException(message)


@contextmanager
def progress(items: Iterable[T], label: str, length: int | None = None) -> Iterator[Iterable[T]]:
    """Click's progress bar on a terminal; the plain iterable when output is not a terminal."""
    if sys.stderr.isatty():
        with click.progressbar(items, label=label, length=length, file=sys.stderr) as bar:
            yield bar
    else:
        yield items


@contextmanager
def steps(length: int, label: str) -> Iterator[Callable[[], None]]:
    """A callback that advances click's progress bar on a terminal and does nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def init_app(app: Flask) -> None:
    from surveys import commands

    for command in commands.COMMANDS:
        app.cli.add_command(command)
    instruments_group = AppGroup("instruments", help="Questionnaire definitions.")
    instruments_group.add_command(commands.instruments_check)
    app.cli.add_command(instruments_group)


def school_option(func: Any) -> Any:
    return click.option("--school", "school_slug", required=True, help="The school's slug.")(func)


def existing_file(func: Any) -> Any:
    return click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(
        func
    )


__all__ = ["db", "existing_file", "fail", "progress", "school_option"]
