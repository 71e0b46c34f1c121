"""Administration → Forløbsskabeloner: which templates the municipality offers."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from overgang.accounts.access import get_municipality_for_admin
from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role

from . import actions, offers
from .forms import TemplateOfferForm


@require_GET
@role_required(Role.ADMIN)
def admin_list(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    return render(request, "programmes/admin_list.html", {"municipality": municipality,
                                                          "offers": offers.offers(municipality)})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_edit(request, municipality, name):
    municipality = get_municipality_for_admin(request, municipality)
    offer = next((o for o in offers.offers(municipality) if o.name == name), None)
    if offer is None:
        raise Http404
    initial = {"offered": offer.offered}
    if offer.row is not None:
        initial.update({key: getattr(offer.row, key) for key in offer.row.OVERRIDES})
    form = TemplateOfferForm(request.POST if request.method == "POST" else None, initial=initial,
                             template=offer.template)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_template_offer(municipality, name, actor=request.user,
                                             offered=form.cleaned_data["offered"], **form.overrides)
        except actions.OfferError as exc:
            form.add_error("offered", str(exc))
        else:
            messages.success(request, _("Ændringerne er gemt. Kalenderen gælder for forløb, der starter herefter."))
            return redirect("programmes:admin_list", municipality=municipality.code)
    return render(request, "programmes/admin_edit.html", {"municipality": municipality, "offer": offer, "form": form},
                  status=400 if form.errors else 200)
