"""Danish first, with a complete English translation."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

PACKAGE = Path(__file__).resolve().parents[1]
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(po_text):
    """(msgid, msgstr, fuzzy) for every entry but the header."""
    entries = []
    for block in po_text.split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if not match:
            continue
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1)))
        msgstr = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(2)))
        if msgid:
            entries.append((msgid, msgstr, "#, fuzzy" in block))
    return entries


def test_every_source_string_has_an_english_translation(tmp_path):
    """Run makemessages on a copy of the code: no new, untranslated or fuzzy entry may appear."""
    copy = tmp_path / "overgang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "definitions"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "overgang.test_settings", "PYTHONPATH": str(PACKAGE.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=copy, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    missing = [msgid for msgid, msgstr, fuzzy in _entries((copy / "locale/en/LC_MESSAGES/django.po").read_text()) if not msgstr or fuzzy]
    assert not missing, f"untranslated strings (run makemessages -l en and translate): {missing}"


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for msgid, msgstr, _fuzzy in _entries(PO.read_text()):
        msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in msgid else msgid
        msgstr = msgstr.encode().decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in msgstr else msgstr
        assert catalogue.gettext(msgid) == msgstr, f"compile the catalogue again (compilemessages): {msgid!r}"


@pytest.mark.django_db
def test_the_language_switch_turns_the_interface_english(client, world, login):
    login(world.worker)
    assert "Mine borgere" in client.get(reverse("courses:caseload")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("courses:caseload")})
    assert response.status_code == 302
    html = client.get(reverse("courses:caseload")).content.decode()
    assert "My citizens" in html and '<html lang="en">' in html


@pytest.mark.django_db
def test_it_is_danish_whatever_the_browser_asks_for(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="da">' in html and "Brugernavn" in html
