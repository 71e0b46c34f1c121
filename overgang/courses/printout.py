"""The citizen's own printout (PDF): their stars, WHO-5 curve, plan and supporters.

Plain language, nothing about any other citizen, no worker's notes, and no word that
reveals what the course is about (the product's name is chosen for the same reason):
the goal item of the star is left out, and so is every free-text note. The star's
dimensions carry the citizen's wording from the star definition (``citizen``), not the
professional labels of the form. The stars are the ones the worker chose on the
citizen's page (``?stjerne=<code>``, e.g. the first and the latest).
"""

import datetime

from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from overgang.audit.log import record as audit
from overgang.courses.models import FOCUS_AREAS
from overgang.courses.page import star_answers, star_block, who5_block
from overgang.instruments import codebook
from overgang.lib import pdf
from overgang.measurements.models import Record


def context(course, chosen=()):
    """The printout of ``course``: the stars the worker chose (``chosen``: record codes;
    the newest three when none), the WHO-5 curve, the plan of every phase, the long-term
    plan and the supporters — in the citizen's words, never the worker's notes."""
    citizen = course.citizen
    records = list(Record.objects.of_citizen(citizen).completed().with_version().select_related("citizen"))
    areas = dict(FOCUS_AREAS)
    focus_areas = list(course.focus_areas.prefetch_related("activities").order_by("phase", "pk"))
    phases = []
    for number in (1, 2, 3):
        plan = [
            {
                "area": areas.get(focus.area, focus.area),
                "goal": focus.get_goal(),
                "activities": [a.get_what() for a in focus.activities.all() if a.is_open],
            }
            for focus in focus_areas if focus.phase == number
        ]
        if plan:
            phases.append({"number": number, "plan": plan, "current": number == (course.phase or 1)})
    answers = star_answers(records)  # decoded once for both charts
    book = codebook.current("star") if answers else None
    supporters = [
        {"name": m.get_name(), "role": m.get_role_display(), "takes_over": m.get_takes_over()}
        for m in course.network.all()
    ]
    return {
        "citizen": citizen,
        "course": course,
        "stars": star_block(records, chosen, citizen_words=True, answers=answers, book=book),
        "who5": who5_block(course, records, answers=answers, book=book),
        "phases": phases,
        "long_term_plan": course.get_long_term_plan() if course.long_term_plan_encrypted else "",
        "supporters": supporters,
        "today": date_format(datetime.date.today(), "DATE_FORMAT"),
    }


def render_html(course, language="da", chosen=(), *, charts_as_images=False):
    """The printout as HTML. ``charts_as_images``: each chart as an SVG image (``<img>``,
    ``lib/pdf.svg_image``) instead of inline ``<svg>`` markup, as the PDF is made: the
    same drawing, at a fraction of WeasyPrint's cost (see ``lib/pdf.py``)."""
    with translation.override(language):
        data = context(course, chosen)
        if charts_as_images:
            for name in ("stars", "who5"):
                if data[name]:
                    data[name] = {**data[name], "image": pdf.svg_image(data[name]["svg"])}
        return render_to_string("courses/printout.html", data)


def response(request, course):
    language = "en" if request.GET.get("lang") == "en" else "da"
    html = render_html(course, language, request.GET.getlist("stjerne"), charts_as_images=True)
    document = pdf.write_pdf(html, base_url=request.build_absolute_uri("/"))
    with transaction.atomic():
        audit("citizen.printout", actor=request.user, obj=course, citizen=course.citizen,
              municipality=course.citizen.municipality, details={"language": language})
    reply = HttpResponse(document, content_type="application/pdf")
    reply["Content-Disposition"] = f'inline; filename="{_("min-plan")}.pdf"'
    return reply
