"""Plain helpers: database URLs, CPR-shaped text, field encryption."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overgang.lib import crypto, dburl
from overgang.lib.cpr import looks_like_cpr


def test_it_parses_a_relative_and_an_absolute_sqlite_url():
    base = Path("/srv/overgang")
    assert dburl.parse("sqlite:///var/db.sqlite3", base)["NAME"] == "/srv/overgang/var/db.sqlite3"
    assert dburl.parse("sqlite:////tmp/x.sqlite3", base)["NAME"] == "/tmp/x.sqlite3"


def test_it_parses_a_postgres_url_with_a_socket_and_an_encoded_password():
    db = dburl.parse("postgres://ov%40er:p%2Fw@/overgang?host=/run/pg&port=5433&sslmode=disable", Path("/"))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == ("ov@er", "p/w", "/run/pg", "5433", "overgang")
    assert db["OPTIONS"] == {"sslmode": "disable"}


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "postgres://h/db?bogus=1", "sqlite://", "sqlite:///"])
def test_it_refuses_what_it_does_not_understand(url):
    with pytest.raises(dburl.DatabaseUrlError):
        dburl.parse(url, Path("/"))


@pytest.mark.parametrize(
    "text", ["010190-1234", "0101901234", "010190 1234", "x311299-0001y", "Min kode er 150585-4711",
             "010190–1234", "010190/1234", "0101901234\U00016b50"]
)
def test_it_recognises_cpr_shaped_text(text):
    assert looks_like_cpr(text)


@pytest.mark.parametrize("text", ["Solsikke", "Anna 1990", "12345", "320190-1234", "011390-1234", "01019012345", "1234567890"])
def test_it_lets_other_text_through(text):
    assert not looks_like_cpr(text)


@given(st.dates(), st.integers(0, 9999), st.sampled_from(["", "-", " "]), st.text(max_size=5), st.text(max_size=5))
def test_any_real_date_with_four_digits_is_cpr_shaped(day, serial, sep, before, after):
    before = before.rstrip("0123456789")
    after = after.lstrip("0123456789")
    assert looks_like_cpr(f"{before}{day:%d%m%y}{sep}{serial:04d}{after}")


@given(st.text())
def test_it_never_crashes(text):
    assert looks_like_cpr(text) in (True, False)


def test_encryption_round_trips_and_the_data_key_is_wrapped(settings):
    wrapped = crypto.new_wrapped_key()
    token = crypto.encrypt(wrapped, "Æble på café")
    assert "café" not in token
    assert crypto.decrypt(wrapped, token) == "Æble på café"
    assert crypto.encrypt(wrapped, "") == "" and crypto.decrypt(wrapped, "") == ""


def test_bulk_data_keys_agree_with_the_single_calls_and_refuse_a_wrong_key(settings):
    one, other = crypto.new_wrapped_key(), crypto.new_wrapped_key()
    keys = crypto.DataKeys()
    token = keys.encrypt(one, "Æble på café")
    assert crypto.decrypt(one, token) == keys.decrypt(one, token) == "Æble på café"
    assert keys.decrypt(one, crypto.encrypt(one, "note")) == "note"
    assert keys.encrypt(one, "") == "" and keys.decrypt(one, "") == ""
    with pytest.raises(crypto.DecryptionError):
        keys.decrypt(other, token)


def test_a_rotated_master_key_still_decrypts_and_rewraps(settings):
    wrapped = crypto.new_wrapped_key()
    token = crypto.encrypt(wrapped, "note")
    new_key = crypto.generate_master_key()
    settings.OVERGANG_FIELD_KEYS = [new_key, *settings.OVERGANG_FIELD_KEYS]
    assert crypto.decrypt(wrapped, token) == "note"
    rewrapped = crypto.rotate(wrapped)
    settings.OVERGANG_FIELD_KEYS = [new_key]
    assert crypto.decrypt(rewrapped, token) == "note"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(wrapped, token)


def test_without_the_master_key_nothing_decrypts(settings):
    wrapped = crypto.new_wrapped_key()
    token = crypto.encrypt(wrapped, "note")
    settings.OVERGANG_FIELD_KEYS = [crypto.generate_master_key()]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(wrapped, token)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999", "abc", "1e5", "²", "\x00", "-1"])
def test_model_choice_fields_refuse_tampered_keys_as_form_errors(value):
    from django import forms

    from overgang.accounts.models import Municipality
    from overgang.lib.fields import SafeModelChoiceField, SafeModelMultipleChoiceField

    Municipality.objects.create(name="Aby Kommune")

    class Form(forms.Form):
        one = SafeModelChoiceField(queryset=Municipality.objects.all())
        many = SafeModelMultipleChoiceField(queryset=Municipality.objects.all())

    form = Form({"one": value, "many": [value]})
    assert not form.is_valid()
    assert set(form.errors) == {"one", "many"}


def test_the_readme_names_every_module():
    from pathlib import Path

    lib = Path(__file__).resolve().parents[1]
    readme = (lib / "README.md").read_text(encoding="utf-8")
    modules = sorted(p.name for p in lib.glob("*.py") if p.name != "__init__.py")
    assert modules and [m for m in modules if f"`{m}`" not in readme] == []


def test_the_status_page_answers_ok_without_login_when_the_database_answers(client, db):
    from django.urls import reverse

    response = client.get(reverse("status"))
    assert response.status_code == 200 and response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store" and response["Content-Type"].startswith("text/plain")
    assert client.post(reverse("status")).status_code == 405
