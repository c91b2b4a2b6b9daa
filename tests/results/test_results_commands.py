"""``flask report`` and ``flask export`` on the demo school; bad input fails in one line."""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from surveys.commands.reports import export, report
from tests.results.conftest import YEAR


def test_report_writes_a_pdf_with_every_section(demo_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = demo_app.test_cli_runner().invoke(report, [
        "--school", "vlinderboom", "--year", YEAR, "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for heading in ("Summary", "Groups that need attention", "Every group against the rest",
                    "The school over the years", "Incidents next to the survey",
                    "Who answered", "How reliable the questionnaire was", "Improvement points"):
        assert heading in text, heading
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "A4" in pages


def test_the_dutch_report_speaks_dutch(demo_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "rapport.pdf"
    result = demo_app.test_cli_runner().invoke(report, [
        "--school", "vlinderboom", "--year", YEAR, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Samenvatting" in text and "Groepen die aandacht vragen" in text
    assert "Veiligheidsbeleving" in text


def test_exports_on_the_command_line(demo_app: Flask, tmp_path: Path) -> None:
    runner = demo_app.test_cli_runner()
    for kind, name in (("aggregates", "a.csv"), ("inspectie", "i.csv"), ("raw", "r.zip")):
        result = runner.invoke(export, [kind, "--school", "vlinderboom", "--year", YEAR,
                                        "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "i.csv").read_text())))
    safety = next(r for r in rows if r["measure"] == "veiligheid_mean")
    assert 1 <= float(safety["value"]) <= 4 and int(safety["n"]) >= 5
    with zipfile.ZipFile(tmp_path / "r.zip") as archive:
        assert set(archive.namelist()) == {"answers.csv", "codebook.md"}


@pytest.mark.parametrize(("args", "message"), [
    (["--school", "nergens", "--year", YEAR], "no school with slug 'nergens'"),
    (["--school", "vlinderboom", "--year", "1999-2000"], "has no school year 1999-2000"),
    (["--school", "vlinderboom", "--year", YEAR, "--wave", "Voorjaar"], "no wave 'Voorjaar'"),
])
def test_bad_input_fails_in_one_line(demo_app: Flask, tmp_path: Path, args: list[str],
                                     message: str) -> None:
    out = tmp_path / "x.pdf"
    result = demo_app.test_cli_runner().invoke(report, [*args, "--out", str(out)])
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and not out.exists()
    result = demo_app.test_cli_runner().invoke(export, ["aggregates", *args, "--out", str(out)])
    assert result.exit_code == 1 and message in result.output
