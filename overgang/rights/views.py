"""The citizen's rights page (consents, information sheet, subject access) and the
administrator's retention setting."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from overgang.accounts.access import get_municipality_for_admin
from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role
from overgang.citizens.access import can_read_notes, can_write, get_citizen_for_user
from overgang.citizens.actions import record_citizen_read
from overgang.courses import overview
from overgang.rights import actions, information, retention, subject_access
from overgang.rights.access import get_consent_for_user
from overgang.rights.forms import ConsentForm, RetentionForm, WithdrawForm
from overgang.rights.models import RetentionSetting

CASE = (Role.WORKER, Role.LEADER)


def _language(request):
    return "en" if request.GET.get("lang") == "en" else "da"


def _page(request, citizen, consent_form=None, status=200):
    record_citizen_read(citizen, actor=request.user, what="rights")
    writer = can_write(request.user, citizen)
    consents = list(citizen.consents.select_related("recorded_by", "withdrawn_recorded_by"))
    withdraw_form = WithdrawForm(initial={"withdrawn_on": datetime.date.today()})
    for consent in consents:
        # One withdrawal form per consent: the form's day field (dd.mm.åååå) under an id of its own.
        consent.withdraw_input = withdraw_form["withdrawn_on"].as_widget(
            attrs={"id": f"withdrawn-{consent.code}", "required": True})
    return render(request, "rights/citizen.html", {
        "citizen": citizen,
        "course": overview.current_course(citizen),
        "can_write": writer,
        "can_read_notes": can_read_notes(request.user, citizen),
        "consents": consents,
        "consent_form": consent_form or (ConsentForm(initial={"given_on": datetime.date.today()}) if writer else None),
        "version": information.VERSION,
    }, status=status)


@require_GET
@role_required(*CASE)
def citizen_rights(request, code):
    return _page(request, get_citizen_for_user(request, code))


@require_POST
@role_required(*CASE)
def consent_add(request, code):
    citizen = get_citizen_for_user(request, code, write=True)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_consent(citizen, form.cleaned_data["kind"], actor=request.user,
                                      given_on=form.cleaned_data["given_on"])
        except actions.ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Samtykket er registreret."))
            return redirect("rights:citizen", code=citizen.code)
    return _page(request, citizen, consent_form=form, status=400)


@require_POST
@role_required(*CASE)
def consent_withdraw(request, code):
    consent = get_consent_for_user(request, code, write=True)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.do_withdraw_consent(consent, actor=request.user, withdrawn_on=form.cleaned_data["withdrawn_on"])
        except actions.ConsentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Tilbagetrækningen er registreret. Borgeren indgår ikke længere i rapporter "
                                        "og evalueringsudtræk."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("rights:citizen", code=consent.citizen.code)


@require_GET
@role_required(*CASE)
def information_sheet(request, code):
    citizen = get_citizen_for_user(request, code)
    record_citizen_read(citizen, actor=request.user, what="information")
    if request.GET.get("format") == "pdf":
        return information.pdf_response(request, citizen, _language(request))
    return render(request, "rights/information.html", {**information.context(citizen), "language": _language(request)})


@require_GET
@role_required(*CASE)
def subject_access_pdf(request, code):
    citizen = get_citizen_for_user(request, code)
    if not can_read_notes(request.user, citizen):
        # Everything about the citizen, notes included: their responsible worker only.
        raise PermissionDenied
    language = _language(request)
    pdf = subject_access.render_pdf(citizen, language, base_url=request.build_absolute_uri("/"))
    actions.record_subject_access(citizen, actor=request.user, language=language)
    reply = HttpResponse(pdf, content_type="application/pdf")
    reply["Content-Disposition"] = f'attachment; filename="{"subject-access" if language == "en" else "indsigt"}.pdf"'
    return reply


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def retention_settings(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    form = RetentionForm(request.POST or None, initial={"years": RetentionSetting.years_for(municipality)})
    if request.method == "POST" and form.is_valid():
        actions.do_change_retention(municipality, actor=request.user, years=form.cleaned_data["years"])
        messages.success(request, _("Ændringerne er gemt."))
        return redirect("rights:retention", municipality=municipality.code)
    due = retention.plan(municipality)
    return render(request, "rights/retention.html", {
        "municipality": municipality, "form": form, "due": due,
    }, status=400 if form.errors else 200)
