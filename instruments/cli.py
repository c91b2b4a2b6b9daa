"""The `instruments check` logic, shared by the Flask CLI and `python -m instruments`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from instruments.loader import _check_paths, default_directory


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def cli_check(paths: Sequence[str | Path] = ()) -> tuple[bool, list[str]]:
    """Check instrument files; ``(ok, lines)`` with one line per problem and a summary last.

    ``paths`` may name files and directories; none means the shipped directory. The summary reads
    like ``4 files, 0 problems``.
    """
    files, _instruments, problems = _check_paths(list(paths) or [default_directory()])
    lines = [str(problem) for problem in problems]
    lines.append(f"{_plural(len(files), 'file')}, {_plural(len(problems), 'problem')}")
    return not problems, lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m instruments check [PATH...]``: exit status 0 when every file is valid."""
    parser = argparse.ArgumentParser(
        prog="python -m instruments", description="Klasklimaat questionnaire definitions."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="validate instrument files (default: the shipped set)"
    )
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="file or directory")
    args = parser.parse_args(argv)

    ok, lines = cli_check(args.paths)
    for line in lines[:-1]:
        print(line, file=sys.stderr)
    print(lines[-1])
    return 0 if ok else 1
