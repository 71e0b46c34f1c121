"""One validator for a pseudonym: the web form, the actions and the importer agree."""

import pytest
from django.urls import reverse

from overgang.citizens import pseudonym
from overgang.citizens.actions import do_create_citizen
from overgang.citizens.models import Citizen
from overgang.exports.interchange import Reader
from overgang.exports.package import Package
from overgang.exports.tests.packages import add_rows, write_package

REFUSED = {
    "bidi override": "Anna\u202eegnos",
    "bidi isolate": "\u2067Anna\u2069",
    "right-to-left mark": "Anna\u200f",
    "arabic letter mark": "Anna\u061c",
    "zero-width space": "An\u200bna",
    "byte order mark": "\ufeffAnna",
    "escape sequence": "\x1b[31mAnna",
    "C1 control": "An\x85na",
    "NUL": "An\x00na",
    "line separator": "Anna\u2028Bo",
    "private use": "Anna\ue000",
    "CPR number": "010190-1234",
    "CPR number inside": "anna0101901234",
    "CPR with a long dash": "010190\u20141234",
    "ten other digits": "\u0661\u0660\u0661\u0669\u0669\u0660\u0661\u0662\u0663\u0664",  # Arabic-Indic 0101990…
}
ACCEPTED = ["Mælkebøtte", "Æble", "Marie-Louise", "Ørn 2", "Zoë", "ليلى", "Solsikke 🌻", "O'Brien"]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_validator_refuses(name):
    assert pseudonym.problem(pseudonym.tidy(REFUSED[name])) in {"bad_text", "cpr_number"}


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_validator_accepts_names_people_choose(text):
    assert pseudonym.problem(text) is None and pseudonym.tidy(text) == text


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_form_and_the_importer_refuse_the_same(client, world, login, tmp_path, name):
    text = REFUSED[name]
    login(world.worker)
    response = client.post(reverse("citizens:new"), {"pseudonym": text, "identity_note": ""})
    assert response.status_code == 400
    assert not Citizen.objects.filter(pseudonym__contains="nna").exclude(pk=world.citizen.pk).exists()
    quoted = '"' + text.replace('"', '""') + '"'
    directory = write_package(tmp_path / "p", citizens_csv=add_rows("citizens.csv", f"{quoted},Aby Kommune,,"))
    with Package(directory) as package:
        reader = Reader(package)
        list(reader.read())
    codes = {(p.file, p.line, p.column, p.code) for p in reader.problems}
    assert ("citizens.csv", 3, "citizen_id", pseudonym.problem(pseudonym.tidy(text))) in codes


@pytest.mark.django_db
def test_the_form_tidies_spaces_and_normalises_before_the_rules(client, world, login):
    login(world.worker)
    client.post(reverse("citizens:new"), {"pseudonym": "  Ae\u0301ble \u00a0 Bo\t", "identity_note": ""})
    assert Citizen.objects.filter(pseudonym="A\u00e9ble Bo").exists()


@pytest.mark.django_db
def test_the_action_refuses_what_the_form_would(world):
    with pytest.raises(pseudonym.InvalidPseudonym):
        do_create_citizen(world.a, "Anna\u202e", actor=world.worker, worker=world.worker)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ACCEPTED)
def test_what_the_form_accepts_the_importer_accepts(client, world, login, tmp_path, text):
    login(world.worker)
    assert client.post(reverse("citizens:new"), {"pseudonym": text, "identity_note": ""}).status_code == 302
    quoted = '"' + text.replace('"', '""') + '"'
    directory = write_package(tmp_path / "p", citizens_csv=add_rows("citizens.csv", f"{quoted},Aby Kommune,,"))
    with Package(directory) as package:
        reader = Reader(package)
        list(reader.read())
    assert reader.problems == []
