"""The administrator's import page speaks to someone with a browser: their own file's name,
web wording, the format described and a sample package to download."""

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from overgang.citizens.models import Citizen
from overgang.exports.actions import do_import_package
from overgang.exports.tests.packages import add_rows, write_package
from overgang.exports.tests.test_views import _zip


def _url(world, name="exports:admin_import"):
    return reverse(name, kwargs={"municipality": world.a.code})


def test_a_file_that_is_no_zip_is_named_as_uploaded_in_web_words(world, login, client):
    login(world.administrator)
    upload = SimpleUploadedFile("legacy-2016.zip", b"this is no zip file", content_type="application/zip")
    page = client.post(_url(world), {"package": upload}).content.decode()
    assert "legacy-2016.zip" in page and "not_a_package" in page
    assert "Filen er ikke en zip-fil, der kan læses. Vælg pakken som .zip-fil." in page
    # No server temp file (tmpn879cwis.zip); the random CSRF tokens left out, where "tmp"
    # can occur by chance.
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.split("<main", 1)[1])
    assert "tmp" not in shown.lower()
    assert "mappe" not in page.split("Upload en pakke")[0]  # no command-line wording (a folder, a path)


def test_an_unknown_worker_is_explained_in_the_administrators_terms(world, login, client, tmp_path):
    login(world.administrator)
    package = write_package(tmp_path / "p", citizens_csv=add_rows("citizens.csv", "Bo,Aby Kommune,nobody,"))
    page = client.post(_url(world), {"package": _zip(package)}).content.decode()
    assert "unknown_worker" in page and "Opret medarbejderen under Brugere" in page


def test_the_label_of_a_package_names_the_uploaded_file_not_the_server_copy(world, tmp_path):
    garbage = tmp_path / "tmpn879cwis.zip"
    garbage.write_bytes(b"no zip")
    result = do_import_package(garbage, actor=world.administrator, municipality=world.a, dry_run=True,
                               label="legacy.zip")
    assert [(p.file, p.code) for p in result.problems] == [("legacy.zip", "not_a_package")]


def test_the_page_describes_the_format_beside_a_sample_package(world, login, client):
    login(world.administrator)
    page = client.get(_url(world)).content.decode()
    assert "Pakkens format" in page
    for name in ("manifest.json", "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv"):
        assert name in page
    assert _url(world, "exports:admin_import_sample") in page


def test_the_sample_package_is_small_valid_and_fictional_for_this_municipality(world, login, client):
    login(world.administrator)
    response = client.get(_url(world, "exports:admin_import_sample"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="overgang-eksempelpakke.zip"' in response["Content-Disposition"]
    data = response.content
    assert len(data) < 20_000
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        citizens = bundle.read("citizens.csv").decode()
        assert sorted(bundle.namelist()) == sorted(
            ["manifest.json", "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv"])
    assert "Aby Kommune" in citizens and "Eksempel Kommune" not in citizens
    # Checked on the page as the administrator would: valid, nothing missing, no warning.
    upload = SimpleUploadedFile("overgang-eksempelpakke.zip", data, content_type="application/zip")
    page = client.post(_url(world), {"package": upload}).content.decode()
    assert "Pakken er gyldig" in page and "advarsel" not in page and "ufuldstændige" not in page
    assert not Citizen.objects.filter(pseudonym__startswith="Eksempel-").exists()  # checked, not imported
    response = client.post(_url(world, "exports:admin_import_confirm"))
    assert response.status_code == 302
    assert Citizen.objects.filter(pseudonym__startswith="Eksempel-", municipality=world.a).count() == 2
