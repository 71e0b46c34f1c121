"""Import for administrators (upload, report, confirm) and the evaluator's export page."""

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from overgang.accounts.access import get_municipality_for_admin
from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role

from . import uploads
from .actions import do_evaluator_export, do_import_package
from .forms import EvaluatorExportForm, ImportUploadForm
from .problems import for_web
from .writer import ORDER

SESSION_KEY = "exports_import"
# The download's name says which program opens it; never anything from the purpose,
# which may name the study (a file name travels in mail and download folders).
EXPORT_FILE_NAMES = {"csv": "csv", "xlsx": "excel", "dta": "stata", "sav": "spss", "parquet": "parquet"}
REPORT_ROWS = 500
SAMPLE = Path(__file__).resolve().parent / "sample"
SAMPLE_MUNICIPALITY = "Eksempel Kommune"


def _import_page(request, municipality, form, result, status=200):
    problems = [for_web(p) for p in result.problems[:REPORT_ROWS]] if result else []
    warnings = result.warnings[:REPORT_ROWS] if result else []
    context = {"municipality": municipality, "form": form, "result": result,
               "problems": problems, "hidden_problems": max(0, len(result.problems) - REPORT_ROWS) if result else 0,
               "warnings": warnings, "hidden_warnings": max(0, len(result.warnings) - REPORT_ROWS) if result else 0}
    return render(request, "exports/admin_import.html", context, status=status)


def _label(uploaded) -> str:
    """The uploaded file's own name, as problems name the package (never the server's temp file)."""
    return Path(uploaded.name or "").name[:100] or _("pakken")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def admin_import(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        earlier = request.session.pop(SESSION_KEY, None) or {}
        uploads.discard(earlier.get("token"))  # a new upload replaces one not yet confirmed
        label = _label(form.cleaned_data["package"])
        with uploads.plain_copy(form.cleaned_data["package"]) as plain:
            result = do_import_package(plain, actor=request.user, municipality=municipality, dry_run=True,
                                       max_bytes=uploads.MAX_UNPACKED_BYTES, label=label)
            if result.ok:
                token = uploads.save(plain, municipality=municipality, user=request.user)
                request.session[SESSION_KEY] = {"token": token, "municipality": str(municipality.code),
                                                "label": label}
    return _import_page(request, municipality, form, result)


@require_POST
@role_required(Role.ADMIN)
def admin_import_confirm(request, municipality):
    municipality = get_municipality_for_admin(request, municipality)
    pending = request.session.pop(SESSION_KEY, None) or {}
    token = pending.get("token")
    try:
        with uploads.opened(token, municipality=municipality, user=request.user) as plain:
            if plain is None or pending.get("municipality") != str(municipality.code):
                messages.error(request, _("Pakken er ikke længere klar til import. Upload den igen."))
                return redirect("exports:admin_import", municipality=municipality.code)
            result = do_import_package(plain, actor=request.user, municipality=municipality,
                                       max_bytes=uploads.MAX_UNPACKED_BYTES, label=pending.get("label"))
    finally:
        uploads.discard(token)
    if not result.ok:
        return _import_page(request, municipality, ImportUploadForm(), result, status=400)
    if result.warnings:
        messages.success(request, ngettext(
            "Pakken er importeret med %(count)s advarsel.", "Pakken er importeret med %(count)s advarsler.",
            len(result.warnings)) % {"count": len(result.warnings)})
    else:
        messages.success(request, _("Pakken er importeret."))
    return redirect("exports:admin_import", municipality=municipality.code)


@require_GET
@role_required(Role.ADMIN)
def admin_import_sample(request, municipality):
    """A small, valid, fictional package for this municipality, to see the format by example."""
    municipality = get_municipality_for_admin(request, municipality)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name in ORDER:
            data = (SAMPLE / name).read_bytes()
            if name == "citizens.csv":
                data = _with_municipality(data.decode("utf-8"), municipality.name).encode("utf-8")
            bundle.writestr(name, data)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="overgang-eksempelpakke.zip"'
    return response


def _with_municipality(text, name):
    """citizens.csv of the sample with every row naming ``name`` (a web import takes only its own)."""
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("municipality")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[column] = name if row[column] == SAMPLE_MUNICIPALITY else row[column]
        writer.writerow(row)
    return out.getvalue()


@require_http_methods(["GET", "POST"])
@role_required(Role.EVALUATOR)
def evaluator_export(request):
    form = EvaluatorExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        options = form.options()
        archive = tempfile.TemporaryFile()
        with tempfile.TemporaryDirectory(prefix="overgang-udtraek-") as directory:
            do_evaluator_export(directory, options, actor=request.user)
            with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(Path(directory).iterdir()):
                    bundle.write(path, path.name)
        archive.seek(0)
        filename = f"overgang-udtraek-{timezone.localdate().isoformat()}-{EXPORT_FILE_NAMES[options.format]}.zip"
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    status = 400 if request.method == "POST" else 200
    return render(request, "exports/evaluator_export.html", {"form": form}, status=status)
