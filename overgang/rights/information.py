"""The plain-language information sheet given to a citizen (Danish and English).

Its version is recorded with every consent, so that it is known what the citizen was
told. Change ``VERSION`` whenever the text of ``rights/_information.html`` changes.
"""

import datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from overgang.rights.models import RetentionSetting

VERSION = "2026-1"


def context(citizen):
    return {
        "citizen": citizen,
        "municipality": citizen.municipality,
        "worker": citizen.worker,
        "team_visibility": citizen.municipality.team_visibility,
        "years": RetentionSetting.years_for(citizen.municipality),
        "version": VERSION,
        "today": date_format(datetime.date.today(), "DATE_FORMAT"),
    }


def pdf_response(request, citizen, language):
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("rights/information_print.html", context(citizen))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    reply = HttpResponse(pdf, content_type="application/pdf")
    name = "information" if language == "en" else "information-til-dig"
    reply["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return reply
