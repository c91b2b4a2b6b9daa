"""P4 on the demo school: Groep 8 (four respondents) never gets a figure anywhere: not on a page,
in a chart, in an export or in the PDF."""

from __future__ import annotations

import base64
import csv
import io
import re
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from tests.results.conftest import YEAR, Demo

FIGURE = re.compile(r"\d[.,]\d\d|\d+\s?%|\b4 (pupils|of the|leerlingen|van de)\b")


class Rows(HTMLParser):
    """Table rows (as text) and the data: URIs of images, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.images: list[str] = []
        self.lis: list[str] = []
        self._row: list[str] | None = None
        self._li: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "tr":
            self._row = []
        if tag == "li":
            self._li = []
        if tag == "img":
            src = dict(attrs).get("src", "")
            if src.startswith("data:image/svg+xml;base64,"):
                self.images.append(base64.b64decode(src.split(",", 1)[1]).decode())

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None
        if tag == "li" and self._li is not None:
            self.lis.append(" ".join(self._li))
            self._li = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row.append(data.strip())
        if self._li is not None:
            self._li.append(data.strip())


def _alone(text: str) -> bool:
    """Mentions Groep 8 other than as a member of the protected pool."""
    return bool(re.search(r"Groep 8(?! \+)", text.replace("Groep 5 + Groep 8", "")))


def _survey_cells(row: str) -> str:
    # incidents are registered by staff, not answered by pupils: their counts may be shown
    return re.sub(r"\bincidents?\b.*", "", row)


def pages(demo_ids: Demo) -> list[tuple[str, str]]:
    g = demo_ids.groups
    return [
        ("director", "/results/school"),
        ("director", f"/results/school?year={demo_ids.year}"),
        ("director", f"/results/groups/{g['Groep 8']}"),
        ("director", f"/results/groups/{g['Groep 5']}"),
        ("director", f"/results/groups/{g['Groep 7/8']}"),
        ("director", "/results/coordinator"),
        ("coordinator", "/results/coordinator"),
        ("director", "/results/groups"),
    ]


def test_no_page_or_chart_gives_groep_8_a_figure(clients: dict[str, FlaskClient],
                                                 demo_ids: Demo) -> None:
    for role, path in pages(demo_ids):
        for lang in ("en", "nl"):
            response = clients[role].get(path + ("&" if "?" in path else "?") + f"lang={lang}")
            assert response.status_code == 200, path
            parser = Rows()
            parser.feed(response.get_data(as_text=True))
            for row in parser.rows + parser.lis:
                if _alone(row):
                    cells = row.split("Groep 8", 1)[1]
                    assert not FIGURE.search(cells), (path, row)
            for svg in parser.images:
                for line in re.findall(r"<text[^>]*>([^<]*)</text>", svg):
                    assert not _alone(line), (path, line)
    small = clients["director"].get(f"/results/groups/{demo_ids.groups['Groep 8']}?lang=en")
    text = small.get_data(as_text=True)
    assert "Too few answers to show figures" in text
    assert "data-n" not in text and "<img" not in text


def test_heat_map_row_of_groep_8_is_protected(clients: dict[str, FlaskClient]) -> None:
    text = clients["director"].get("/results/school?lang=en").get_data(as_text=True)
    row = re.search(r'<tr data-group="Groep 8">(.*?)</tr>', text, re.S).group(1)
    assert row.count(">protected<") == 4
    assert "data-value" not in row


def test_exports_leave_groep_8_out(clients: dict[str, FlaskClient], demo_ids: Demo) -> None:
    base = f"/results/schools/{demo_ids.school}/exports"
    aggregates = list(csv.DictReader(io.StringIO(
        clients["director"].get(f"{base}/aggregates").get_data(as_text=True))))
    survey = [r for r in aggregates if not r["measure"].startswith("incidents")]
    assert survey and all(r["unit"] != "Groep 8" for r in survey)
    assert any(r["unit"] == "Groep 5 + Groep 8" and r["protected"] == "yes" for r in survey)
    assert all(int(r["n"]) >= 5 for r in survey)
    inspectie = list(csv.DictReader(io.StringIO(
        clients["director"].get(f"{base}/inspectie").get_data(as_text=True))))
    assert inspectie and all("Groep" not in " ".join(r.values()) for r in inspectie)
    assert {r["measure"] for r in inspectie} == {"veiligheid_mean", "welbevinden_mean",
                                                 "gepest_share", "bullying_item_share"}
    raw = clients["director"].post(f"{base}/raw", data={"understood": "y"})
    assert raw.status_code == 200 and raw.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode())))
        codebook = archive.read("codebook.md").decode()
    groups = {r["group"] for r in rows}
    assert "Groep 8" not in groups and "Groep 5" not in groups and "Groep 6" in groups
    assert "Groep 5, Groep 8" in codebook
    assert set(rows[0]) == {"school_year", "wave", "group", "grade", "respondent", "instrument",
                            "version", "item", "value"}
    assert not any(r["instrument"].startswith("leraar") for r in rows)  # no teacher feedback
    keys = [(r["group"], r["respondent"]) for r in rows]
    assert keys == sorted(keys)  # by group and random label, never by arrival
    assert clients["director"].post(f"{base}/raw", data={}).status_code == 302


def test_the_pdf_gives_groep_8_no_figure(clients: dict[str, FlaskClient], demo_ids: Demo,
                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    for lang in ("nl", "en"):
        response = clients["director"].get(
            f"/results/schools/{demo_ids.school}/report.pdf?year={demo_ids.year}&lang={lang}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        path = tmp_path / f"report-{lang}.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert YEAR in text
        lines = [line for line in text.splitlines() if _alone(line)]
        assert lines, "Groep 8 should be named (as protected)"
        for line in lines:
            assert not FIGURE.search(line.split("Groep 8", 1)[1]), line


@pytest.mark.parametrize("kind", ["aggregates", "inspectie"])
def test_teachers_get_no_export(clients: dict[str, FlaskClient], demo_ids: Demo,
                                kind: str) -> None:
    base = f"/results/schools/{demo_ids.school}/exports"
    assert clients["eva"].get(f"{base}/{kind}").status_code == 403
    assert clients["eva"].post(f"{base}/raw", data={"understood": "y"}).status_code == 403
