"""Import for administrators (upload, report, confirm) and the evaluator's export page."""

import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from overgang.accounts.access import get_municipality_for_admin
from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role

from . import uploads
from .actions import do_evaluator_export, do_import_package
from .forms import EvaluatorExportForm, ImportUploadForm

SESSION_KEY = "exports_import"
REPORT_ROWS = 500


def _import_page(request, municipality, form, result, status=200):
    context = {"municipality": municipality, "form": form, "result": result,
               "problems": result.problems[:REPORT_ROWS] if result else [],
               "hidden_problems": max(0, len(result.problems) - REPORT_ROWS) if result else 0}
    return render(request, "exports/admin_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_import(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        earlier = request.session.pop(SESSION_KEY, None) or {}
        uploads.discard(earlier.get("token"))  # a new upload replaces one not yet confirmed
        with uploads.plain_copy(form.cleaned_data["package"]) as plain:
            result = do_import_package(plain, actor=request.user, municipality=municipality, dry_run=True,
                                       max_bytes=uploads.MAX_UNPACKED_BYTES)
            if result.ok:
                request.session[SESSION_KEY] = {"token": uploads.save(plain), "municipality": str(municipality.code)}
    return _import_page(request, municipality, form, result)


@require_POST
@role_required(Role.ADMIN)
def admin_import_confirm(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    pending = request.session.pop(SESSION_KEY, None) or {}
    token = pending.get("token")
    try:
        with uploads.opened(token) as plain:
            if plain is None or pending.get("municipality") != str(municipality.code):
                messages.error(request, _("Pakken er ikke længere klar til import. Upload den igen."))
                return redirect("exports:admin_import", municipality=municipality.code)
            result = do_import_package(plain, actor=request.user, municipality=municipality,
                                       max_bytes=uploads.MAX_UNPACKED_BYTES)
    finally:
        uploads.discard(token)
    if not result.ok:
        return _import_page(request, municipality, ImportUploadForm(), result, status=400)
    messages.success(request, _("Pakken er importeret."))
    return redirect("exports:admin_import", municipality=municipality.code)


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def evaluator_export(request):
    form = EvaluatorExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        archive = tempfile.TemporaryFile()
        with tempfile.TemporaryDirectory(prefix="overgang-udtraek-") as directory:
            do_evaluator_export(directory, form.options(), actor=request.user)
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(Path(directory).iterdir()):
                    bundle.write(path, path.name)
        archive.seek(0)
        filename = f"overgang-udtraek-{timezone.localdate().isoformat()}.zip"
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    status = 400 if request.method == "POST" else 200
    return render(request, "exports/evaluator_export.html", {"form": form}, status=status)
