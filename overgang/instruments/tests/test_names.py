"""One display name per instrument, from its definition, in the user's language."""

from django.template import Context, Template
from django.utils import translation

from overgang.instruments import registry
from overgang.instruments.build import Text
from overgang.instruments.names import instrument_name


def test_it_names_every_instrument_by_its_definitions_title_in_both_languages():
    for name, instrument in registry.all_instruments().items():
        assert instrument_name(name, "da") == instrument.title.da
        assert instrument_name(name, "en") == instrument.title.en
        with translation.override("en"):
            assert instrument_name(name) == instrument.title.en
        with translation.override("da"):
            assert instrument_name(name) == instrument.title.da


def test_templates_name_an_instrument_through_the_filter():
    template = Template("{% load instrument_names %}{{ name|instrument_name }}")
    with translation.override("en"):
        assert template.render(Context({"name": "cti_ongoing"})) == "CTI form during the course"
    with translation.override("da"):
        assert template.render(Context({"name": "cti_ongoing"})) == "CTI-skema undervejs i forløbet"


def test_a_text_that_reaches_a_page_shows_in_the_users_language_not_as_an_object():
    text = Text(da="Fase", en="Phase")
    with translation.override("da"):
        assert str(text) == "Fase" and Template("{{ t }}").render(Context({"t": text})) == "Fase"
    with translation.override("en"):
        assert str(text) == "Phase"
