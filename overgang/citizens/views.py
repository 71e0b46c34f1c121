from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role
from overgang.citizens import actions
from overgang.citizens.access import can_read_notes, can_write, get_citizen_for_user
from overgang.citizens.forms import CitizenEditForm, CitizenForm, EraseForm

def _pseudonym_taken():
    return _("Pseudonymet er allerede i brug i kommunen. Vælg et andet sammen med borgeren.")


def _stale():
    return _(
        "Borgeren er blevet ændret af en anden, siden du åbnede siden. Dine indtastninger er bevaret "
        "herunder; tjek de nye oplysninger og gem igen."
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.WORKER)
def new(request):
    municipalities = request.user.municipalities_as(Role.WORKER)
    form = CitizenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = actions.do_create_citizen(
                municipalities[0],
                form.cleaned_data["pseudonym"],
                actor=request.user,
                worker=request.user,
                identity_note=form.cleaned_data["identity_note"],
            )
        except actions.PseudonymTaken:
            form.add_error("pseudonym", _pseudonym_taken())
        except actions.NotAWorker:
            raise PermissionDenied from None
        else:
            messages.success(request, _("Borgeren er oprettet."))
            return redirect("courses:citizen", code=citizen.code)
    return render(request, "citizens/new.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@role_required(Role.WORKER, Role.LEADER)
def detail(request, code):
    citizen = get_citizen_for_user(request, code)
    actions.record_citizen_read(citizen, actor=request.user)
    ctx = {
        "citizen": citizen,
        "can_write": can_write(request.user, citizen),
        "identity_note": citizen.identity_note if can_read_notes(request.user, citizen) else None,
    }
    return render(request, "citizens/detail.html", ctx)


@require_http_methods(["GET", "POST"])
@role_required(Role.WORKER, Role.LEADER)
def edit(request, code):
    citizen = get_citizen_for_user(request, code, write=True)
    actions.record_citizen_read(citizen, actor=request.user, what="edit")  # shows the identity note
    initial = {"pseudonym": citizen.pseudonym, "identity_note": citizen.identity_note, "version": citizen.version}
    form = CitizenEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.do_change_citizen(citizen, actor=request.user, **form.cleaned_data)
            except actions.PseudonymTaken:
                form.add_error("pseudonym", _pseudonym_taken())
            except actions.StaleVersion:
                status = 409
                citizen.refresh_from_db()
                # Keep what the user typed; move the form onto the current version.
                data = request.POST.copy()
                data["version"] = citizen.version
                form = CitizenEditForm(data, initial=initial)
                form.is_valid()
                form.add_error(None, _stale())
            else:
                messages.success(request, _("Ændringerne er gemt."))
                return redirect("citizens:detail", code=citizen.code)
    return render(request, "citizens/edit.html", {"citizen": citizen, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.WORKER, Role.LEADER)
def erase(request, code):
    citizen = get_citizen_for_user(request, code, write=True)
    form = EraseForm(request.POST or None, pseudonym=citizen.pseudonym)
    if request.method == "POST" and form.is_valid():
        actions.do_erase_citizen(citizen, actor=request.user)
        messages.success(request, _("Borgeren og alle borgerens oplysninger er slettet."))
        return redirect("courses:caseload")
    actions.record_citizen_read(citizen, actor=request.user, what="erase")
    return render(request, "citizens/erase.html", {"citizen": citizen, "form": form}, status=400 if form.errors else 200)
