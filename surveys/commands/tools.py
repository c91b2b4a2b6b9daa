"""Checking tools: instrument files."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def instruments_check(paths: tuple[Path, ...]) -> None:
    """Validate instrument files (default: the shipped set) and list every problem."""
    import instruments

    ok, lines = instruments.cli_check(list(paths) or [instruments.default_directory()])
    for line in lines:
        click.echo(line)
    if not ok:
        raise SystemExit(1)
