"""The report in the web application: project leaders and evaluators (issue 6)."""

from dataclasses import replace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role
from overgang.audit.log import record as audit
from overgang.evaluation import render as writers
from overgang.evaluation import kept
from overgang.evaluation.access import get_municipalities_for_user, granted_municipalities, sees_exact_numbers
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.forms import FidelityFilterForm, ReportFilterForm
from overgang.evaluation.reports import Filters
from overgang.lib import crypto
from overgang.lib.replica import replica_reads

CONTENT_TYPES = {
    "json": "application/json",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _prepare(request):
    """(form, municipalities, filters, definitions, exact) from the query string; the
    form is bound and, when invalid, the caller computes nothing (never a report under
    other filters or definitions than the ones asked for)."""
    granted = granted_municipalities(request.user)
    # Evaluators write definitions as the command line does; leaders get labelled controls.
    form = ReportFilterForm(request.GET, granted, evaluator=request.user.has_role(Role.EVALUATOR))
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    municipalities = get_municipalities_for_user(request.user, request.GET.getlist("kommune"))
    definitions = replace(Definitions(), **form.overrides) if valid else Definitions()
    filters = Filters(
        municipalities=tuple(m.name for m in municipalities),
        started_from=data.get("started_from"),
        started_to=data.get("started_to"),
        goal=data.get("goal") or None,
        template=data.get("skabelon") or None,
    )
    return form, municipalities, filters, definitions, sees_exact_numbers(request.user, municipalities)


def _audit(request, action, filters, fmt, definitions):
    with transaction.atomic():
        audit(action, actor=request.user, object_type="report",
              details={"filters": filters.to_json(), "format": fmt,
                       "definitions": {k: v for k, v in definitions.to_json().items() if k in _SETTINGS}})


_SETTINGS = ("who5_risk_max", "who5_depression_max", "who5_improvement", "time_point_rule", "end_measure",
             "large_inclusive", "alpha", "small_cells")


def _compute(filters, definitions, municipalities):
    """The report (kept while its data is unchanged: ``kept.py``), or None when the
    encrypted answers cannot be read (wrong field keys)."""
    try:
        return kept.report(filters, definitions, municipalities)
    except crypto.DecryptionError:
        return None


def _refusal(request, form, exact, status, error=""):
    """The page without a report: the form with its errors, or why it cannot be computed."""
    return render(request, "evaluation/report.html", {
        "form": form, "exact": exact, "report": None, "document": None, "error": error, "formats": [],
    }, status=status)


def _key_error():
    return _("Rapporten kan ikke beregnes, fordi de krypterede svar ikke kan læses med installationens "
             "feltnøgler. Kontakt administratoren.")


@require_GET
@role_required(Role.LEADER, Role.EVALUATOR)
@replica_reads
def report(request):
    form, municipalities, filters, definitions, exact = _prepare(request)
    if not form.is_valid():
        return _refusal(request, form, exact, 400)
    found = _compute(filters, definitions, municipalities)
    if found is None:
        return _refusal(request, form, exact, 503, _key_error())
    result, small, suppress = found.report, definitions.small_cells, not exact

    def laid_out():
        return writers.context(result, suppress=suppress, small=small, hidden=found.hidden(small) if suppress else None)

    # The report's body (its tables, charts and definitions, as this viewer reads them in
    # this language) is kept with the report after the first view: a kept report's page
    # then only renders its frame (kept.Kept.body).
    variant = f"{translation.get_language() or 'da'}:{int(suppress)}:{small}"
    body = found.body(variant)
    if body is None:
        context = laid_out()
        body = render_to_string("evaluation/_report_body.html", context, request=request)
        found.keep_body(variant, body)
    else:
        context = {"document": SimpleLazyObject(lambda: laid_out()["document"]), "meta_line": writers.meta_line(result),
                   "suppression_note": writers.report_suppression_note(small) if suppress else ""}
    _audit(request, "report.view", filters, "html", definitions)
    context.update({"body": body,
        "form": form, "exact": exact, "report": result, "query": request.GET.urlencode(),
        "formats": [("pdf", "PDF"), ("xlsx", _("Regneark (XLSX)"))] + ([("json", "JSON")] if exact else []),
    })
    return render(request, "evaluation/report.html", context)


@require_GET
@role_required(Role.LEADER, Role.EVALUATOR)
@replica_reads
def download(request, fmt):
    if fmt not in CONTENT_TYPES:
        raise Http404
    form, municipalities, filters, definitions, exact = _prepare(request)
    if fmt == "json" and not exact:
        # The JSON keeps exact counts; only evaluators of every municipality get it.
        raise PermissionDenied
    if not form.is_valid():
        return _refusal(request, form, exact, 400)
    found = _compute(filters, definitions, municipalities)
    if found is None:
        return _refusal(request, form, exact, 503, _key_error())
    small = definitions.small_cells
    content = writers.render(found.report, fmt, suppress=not exact, small=small,
                             hidden=None if exact or fmt == "json" else found.hidden(small))
    _audit(request, "report.export", filters, fmt, definitions)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{_("evalueringsrapport")}.{fmt}"'
    return response


@require_GET
@role_required(Role.LEADER, Role.EVALUATOR)
@replica_reads
def fidelity(request):
    """Live fidelity from the daily registrations: leaders for their municipality (the
    team's small numbers suppressed), evaluators for the municipalities that granted
    them access (exact, workers not named)."""
    import datetime as dt

    from overgang.evaluation import fidelity as measures
    from overgang.evaluation import fidelity_document, fidelity_queries

    form = FidelityFilterForm(request.GET, granted_municipalities(request.user))
    municipalities = get_municipalities_for_user(request.user, request.GET.getlist("kommune"))
    if not form.is_valid():
        return render(request, "evaluation/fidelity.html", {"form": form, "result": None}, status=400)
    period = form.cleaned_data.get("period")
    period = 12 if period is None else (period or None)
    exact = sees_exact_numbers(request.user, municipalities)
    today = dt.date.today()
    result = measures.compute(fidelity_queries.load(municipalities, today=today, period_months=period), today)
    labels = fidelity_document.worker_labels(result, request.user)
    small = Definitions().small_cells
    with transaction.atomic():
        audit("fidelity.view", actor=request.user, object_type="fidelity",
              municipality=municipalities[0] if len(municipalities) == 1 else None,
              details={"municipalities": [str(m.code) for m in municipalities], "period_months": period,
                       "exact": exact})
    return render(request, "evaluation/fidelity.html", {
        "form": form, "result": result, "exact": exact,
        "attention": fidelity_document.attention(result, labels),
        "tables": fidelity_document.tables(result, labels, exact=exact, small=small),
        "suppression_note": "" if exact else writers.suppression_note(small),
    })
