"""What the record pages show: navigation, answers in words, the star chart, WHO-5."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from overgang.citizens.access import can_read_notes, can_write
from overgang.instruments import codebook, engine
from overgang.instruments.names import instrument_name
from overgang.lib import charts
from overgang.measurements.forms import _lang
from overgang.measurements.models import Record

WHO5_RISK_MAX = 50
WHO5_DEPRESSION_MAX = 28


def page_nav(record, instrument, visible, current):
    lang = _lang()
    return [
        {
            "number": number,
            "label": page.label.get(lang),
            "url": reverse("measurements:fill", kwargs={"code": record.code, "page": number}),
            "current": number == current,
        }
        for number, page in enumerate(instrument.pages, 1)
        if page in visible
    ]


def ladder(instrument, lang):
    """The five stages of the 1–10 ladder, if the instrument defines them."""
    return [
        {"low": stage.low, "high": stage.high, "title": stage.title.get(lang), "text": stage.text.get(lang)}
        for stage in getattr(instrument, "ladder", ())
    ]


def answer_pages(record, answers, *, show_text):
    lang = _lang()
    instrument = record.definition
    relevant = engine.relevance(instrument, answers)
    pages = []
    for number, page in enumerate(instrument.pages, 1):
        rows = []
        for item in page.items:
            if item.is_note or not relevant[item.name]:
                continue
            value = answers.get(item.name)
            if item.handler.free_text and value is not None and not show_text:
                shown = _("(fritekst – kun for den ansvarlige medarbejder)")
            else:
                shown = item.handler.display(item, value, lang)
            rows.append({"item": item, "label": item.label.get(lang), "value": shown,
                         "answered": engine.is_answered(value),
                         "missing": item.required and not engine.is_answered(value)})
        if rows:
            pages.append({"number": number, "label": page.label.get(lang), "rows": rows,
                          "answered": any(r["answered"] for r in rows)})
    return pages


def star_series(record):
    """This star and up to two earlier completed stars of the same course (of the citizen,
    for a star outside a course), newest first."""
    earlier = (
        Record.objects.of_citizen(record.citizen)
        .completed()
        .filter(instrument="star", filled_on__lte=record.filled_on, course_id=record.course_id)
        .exclude(pk=record.pk)
        .with_version()
        .select_related("citizen")
        .order_by("-filled_on", "-created")
    )
    dimensions = codebook.current("star").score("star_mean")
    series = []
    for star in [record, *earlier]:
        values = engine.values(star.definition, star.get_answers())
        if not dimensions.of(values).count:  # not filled in (``possible`` ≠ 1): no dimensions
            continue
        series.append((star, values))
        if len(series) == 3:
            break
    return series


def star_chart(record):
    lang = _lang()
    series = star_series(record)
    if not series or series[0][0] != record:
        return None
    dimensions = codebook.current("star").score("star_mean")
    axes = [item.label.get(lang) for item in dimensions.item_defs]
    rows = []
    for star, values in series:
        label = date_format(star.filled_on, "SHORT_DATE_FORMAT")
        rows.append((label, list(dimensions.values(values))))
    svg = charts.radar(axes, rows, title=_("Stjernen %(date)s sammenlignet med tidligere stjerner") % {"date": rows[0][0]})
    table = {
        "headers": [label for label, _values in rows],
        "rows": [(axis, [values[i] for _label, values in rows]) for i, axis in enumerate(axes)],
    }
    return {"svg": svg, "table": table}


def who5(record):
    values = engine.values(record.definition, record.get_answers())
    index = codebook.current("star").score("who5_index").of(values)
    if index is None:
        return None
    if index <= WHO5_DEPRESSION_MAX:
        meaning = _("Et indeks på 28 eller derunder kan tyde på depression. Tal med borgeren om, hvilken hjælp der kan være brug for, fx lægen.")
    elif index <= WHO5_RISK_MAX:
        meaning = _("Et indeks på 50 eller derunder tyder på nedsat trivsel og risiko for stress eller depression.")
    else:
        meaning = _("Et indeks over 50 tyder på, at borgeren ikke er i risiko for nedsat trivsel.")
    svg = charts.gauge(index, title=_("WHO-5-trivselsindeks: %(index)s af 100") % {"index": index},
                       marks=[(WHO5_DEPRESSION_MAX, "28"), (WHO5_RISK_MAX, "50")])
    return {"index": index, "meaning": meaning, "svg": svg}


def detail_context(request, record):
    instrument = record.definition
    answers = record.get_answers()
    show_text = can_read_notes(request.user, record.citizen)
    missing = engine.missing_required(instrument, answers)
    first_missing_page = None
    if missing:
        first_missing_page = next(n for n, page in enumerate(instrument.pages, 1) if missing[0] in page.items)
    ctx = {
        "record": record,
        "citizen": record.citizen,
        "instrument": instrument,
        "title": instrument_name(record.instrument),
        "pages": answer_pages(record, answers, show_text=show_text),
        "missing": [item.label.get(_lang()) for item in missing],
        "first_missing_page": first_missing_page,
        "progress": engine.progress(instrument, answers),
        "can_write": can_write(request.user, record.citizen),
        "changes": list(record.changes.select_related("actor")) if show_text else [],
        "star": star_chart(record) if record.instrument == "star" and record.is_completed else None,
        "who5": who5(record) if record.instrument == "star" else None,
    }
    return ctx
