"""Every string the staff sees has a Dutch translation in the catalogue, with the same
placeholders as the English original."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "surveys/translations/nl/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")


def extracted(tmp_path: Path) -> list[object]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "_t", "-k", "lazy_gettext", "-k", "ngettext:1,2",
         "--ignore-dirs=.venv instance tests node_modules", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        return [m.id for m in read_po(fh) if m.id]


def test_every_message_has_dutch_with_the_same_placeholders(tmp_path: Path) -> None:
    with PO.open("rb") as fh:
        catalogue = {m.id: m.string for m in read_po(fh) if m.id}
    ids = extracted(tmp_path)
    assert len(ids) > 300
    missing = [i for i in ids if not catalogue.get(i) or not all(
        catalogue[i] if isinstance(catalogue[i], tuple) else [catalogue[i]])]
    assert missing == []
    for msgid in ids:
        english = msgid if isinstance(msgid, tuple) else (msgid,)
        dutch = catalogue[msgid] if isinstance(catalogue[msgid], tuple) else (catalogue[msgid],)
        for en, nl in zip(english, dutch, strict=False):
            assert sorted(PLACEHOLDER.findall(en)) == sorted(PLACEHOLDER.findall(nl)), msgid
