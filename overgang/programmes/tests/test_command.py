"""``overgang templates list|show``."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from overgang.programmes.models import current_version

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("templates", *args, stdout=out)
    return out.getvalue()


def test_it_lists_every_template_with_its_calendar_and_published_version():
    current_version("homelessness")
    text = run("list")
    lines = {line.split()[0]: line for line in text.splitlines()[1:] if line and not line.startswith("*")}
    assert set(lines) == {"care_home", "exit_prostitution", "homelessness", "psychiatric_discharge"}
    assert "4+4+4" in lines["exit_prostitution"] and " 12 " in lines["exit_prostitution"]
    assert "3+3+3" in lines["homelessness"] and "v1" in lines["homelessness"]
    assert "Hjemløshed → egen bolig / Homelessness → own home" in lines["homelessness"]
    assert " – " in lines["care_home"]  # not published yet
    rows = json.loads(run("list", "--format", "json"))
    assert [r["name"] for r in rows if r["default"]] == ["exit_prostitution"]


def test_it_shows_one_template_whole():
    text = run("show", "exit_prostitution")
    assert "Exit prostitution" in text and "4 + 4 + 4 = 12" in text
    assert "registration: prostitution" in text
    assert "1 Exit fra prostitution / Exit from prostitution" in text
    shown = json.loads(run("show", "homelessness", "--format", "json"))
    assert shown["calendar"]["phase_months"] == [3, 3, 3] and shown["versions"] == []
    assert len(shown["content_hash"]) == 64


def test_an_unknown_template_is_an_error_naming_the_known_ones():
    with pytest.raises(CommandError, match="homelessness"):
        run("show", "astronauts")
