import re
import secrets

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from overgang.accounts.decorators import role_required
from overgang.accounts.models import Role
from overgang.citizens.access import can_write, get_citizen_for_user
from overgang.citizens.actions import record_citizen_read
from overgang.instruments import engine, registry
from overgang.instruments.messages import answer_message
from overgang.instruments.names import instrument_name
from overgang.measurements import actions, starting
from overgang.measurements.access import get_record_for_user
from overgang.measurements.forms import PageForm, StartForm, _lang
from overgang.measurements.models import Record
from overgang.measurements import presentation


def _stale_message():
    return _(
        "Skemaet er blevet gemt af en anden, siden du åbnede siden. Dine indtastninger er ikke gemt, "
        "men står stadig herunder: tjek skemaet og gem igen."
    )


@require_GET
@role_required(Role.WORKER, Role.LEADER)
def record_list(request, code):
    """The citizen's records. New ones begin on the citizen's page, in the course they
    belong to: the course says which questions a record has (its template)."""
    citizen = get_citizen_for_user(request, code)
    record_citizen_read(citizen, actor=request.user, what="records")
    writer = can_write(request.user, citizen)
    form = StartForm(instruments=registry.all_instruments()) if writer else None
    return render(request, "measurements/list.html", {"citizen": citizen, "records": _titled(citizen), "form": form})


@require_POST
@role_required(Role.WORKER, Role.LEADER)
def start(request, code):
    """Begin a record; only a form that can apply to the citizen's course now (the rule of
    the course page's new-form choice, measurements/starting.py)."""
    citizen = get_citizen_for_user(request, code, write=True)
    form = StartForm(request.POST, instruments=registry.all_instruments())
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = starting.start(
                citizen, data["instrument"], actor=request.user, filled_on=data["filled_on"], respondent=data["respondent"]
            )
        except starting.StartRefused as exc:
            form.add_error("instrument", str(exc))
        else:
            return redirect("measurements:fill", code=record.code, page=1)
    record_citizen_read(citizen, actor=request.user, what="records")
    return render(request, "measurements/list.html", {"citizen": citizen, "records": _titled(citizen), "form": form},
                  status=400)


def _titled(citizen):
    """The citizen's records, each with its form's title in the user's language."""
    records = list(Record.objects.of_citizen(citizen).with_version())
    for record in records:
        record.title = record.definition.title.get(_lang())
    return records


@require_http_methods(["GET", "POST"])
@role_required(Role.WORKER, Role.LEADER)
def fill(request, code, page):
    record = get_record_for_user(request, code, write=True)
    instrument = record.definition
    if not 1 <= page <= len(instrument.pages):
        raise Http404
    answers = record.get_answers()
    current = instrument.pages[page - 1]
    if request.method == "GET":
        if current not in engine.visible_pages(instrument, answers):
            return redirect(_neighbour(record, answers, page, +1))
        actions.record_read(record, actor=request.user, view="fill")
        form = PageForm(record=record, page=current, answers=answers, initial=_fresh_initial(record))
        return _render_page(request, record, page, form)

    form = PageForm(request.POST, record=record, page=current, answers=answers)
    valid = form.is_valid()
    if not valid and not form.saves_despite_errors():
        return _render_page(request, record, page, form, status=400)
    shown = form.cleaned_data["shown"]
    try:
        cleared = actions.do_save_answers(
            record,
            form.cleaned_data["changes"],
            actor=request.user,
            version=form.cleaned_data["version"],
            token=form.cleaned_data["token"],
        )
    except actions.StaleVersion:
        form.add_error(None, _stale_message())
        return _render_page(request, record, page, form, status=409)
    except actions.InvalidAnswers as exc:
        form.add_error(None, _invalid_message(record, exc.issues))
        return _render_page(request, record, page, form, status=400)
    record.reload()
    if not valid:
        # The refused answers stay in their fields with their messages; the rest is saved.
        return _render_page(request, record, page, form, status=400, partly_saved=True)
    answers = record.get_answers()
    if cleared:
        labels = ", ".join(f"«{instrument.item(name).label.get(_lang())}»" for name in cleared)
        messages.warning(
            request,
            _("Svarene på disse spørgsmål er fjernet, fordi spørgsmålene ikke længere er relevante efter dine ændringer: %(items)s")
            % {"items": labels},
        )
    initial = {"version": record.version, "token": form.cleaned_data["token"]}
    fresh = PageForm(record=record, page=current, answers=answers, initial=initial)
    now_shown = {item.name for item in fresh.items if not item.is_note}
    # Questions the answers opened and the worker has not seen (and so not answered).
    appeared = {name for name in now_shown - shown if not engine.is_answered(answers.get(name))}
    vanished = shown - now_shown
    go = request.POST.get("go", "stay")
    if request.headers.get("HX-Request"):
        if appeared or vanished or cleared:
            return _render_page(request, record, page, fresh)
        # The progress counter and the page list follow the answers as they are given.
        visible = engine.visible_pages(instrument, answers)
        return render(request, "measurements/_saved.html", {
            "record": record, "progress": engine.progress(instrument, answers),
            "pages": presentation.page_nav(record, instrument, visible, page),
        })
    if go == "stay" or (appeared and go == "next"):
        if appeared and go == "next":
            messages.info(request, _("Dine svar har åbnet flere spørgsmål på denne side."))
        if go == "stay":
            messages.success(request, _("Kladden er gemt."))
        return _render_page(request, record, page, fresh)
    if go == "prev":
        return redirect(_neighbour(record, answers, page, -1))
    if go == "review":
        return redirect("measurements:detail", code=record.code)
    return redirect(_neighbour(record, answers, page, +1))


def _posted_version(request) -> int:
    """The record version the form was read at; a missing or tampered value is no
    version (-1), which the action refuses as stale."""
    value = request.POST.get("version", "")
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else -1


def _invalid_message(record, issues) -> str:
    """Which answers break the form's rules, by question, in the user's language."""
    instrument = record.definition
    parts = []
    for issue in issues:
        item = instrument.item(issue.item) if instrument.has_item(issue.item) else None
        label = item.label.get(_lang()) if item else issue.item
        parts.append(f"«{label}»: {answer_message(issue, item, instrument)}")
    return _("Svarene kan ikke gemmes, fordi de bryder skemaets regler: %(problems)s") % {"problems": " ".join(parts)}


def _fresh_initial(record):
    return {"version": record.version, "token": secrets.token_hex(16)}


def _neighbour(record, answers, page, step):
    """The URL of the next (or previous) page that has a visible item, or the overview."""
    instrument = record.definition
    visible = engine.visible_pages(instrument, answers)
    index = page - 1 + step
    while 0 <= index < len(instrument.pages):
        if instrument.pages[index] in visible:
            return reverse("measurements:fill", kwargs={"code": record.code, "page": index + 1})
        index += step
    return reverse("measurements:detail", kwargs={"code": record.code})


def _render_page(request, record, page, form, status=200, partly_saved=False):
    if request.method == "POST":
        # A page shown in answer to a save (refused, "stay", or new questions opened)
        # shows the record's answers again: a read like the GET's.
        actions.record_read(record, actor=request.user, view="fill")
    instrument = record.definition
    answers = record.get_answers()
    visible = engine.visible_pages(instrument, answers)
    ctx = {
        "record": record,
        "citizen": record.citizen,
        "instrument": instrument,
        "page": instrument.pages[page - 1],
        "page_label": instrument.pages[page - 1].label.get(_lang()),
        "instrument_name": instrument_name(record.instrument),
        "page_number": page,
        "partly_saved": partly_saved,
        "pages": presentation.page_nav(record, instrument, visible, page),
        "form": form,
        "progress": engine.progress(instrument, answers),
        "ladder": presentation.ladder(instrument, _lang()),
        "lang": _lang(),
        "is_last": _neighbour(record, answers, page, +1) == reverse("measurements:detail", kwargs={"code": record.code}),
    }
    ctx["rows"] = form.rows(ctx["ladder"])
    ctx["prefilled_any"] = any(row["prefilled_from"] for row in ctx["rows"])
    # On a ladder page the general note folds away, so the ladder and "Næste" fit a tablet.
    ctx["has_ladder"] = any(row["kind"] == "ladder" for row in ctx["rows"])
    if request.headers.get("HX-Request"):
        ctx["oob"] = True
        # htmx swaps only 2xx answers: errors and new questions come back as 200 with the fields.
        response = render(request, "measurements/_page_form.html", ctx)
        response["HX-Retarget"] = "#page-fields"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "measurements/fill.html", ctx, status=status)


@require_GET
@role_required(Role.WORKER, Role.LEADER)
def detail(request, code):
    record = get_record_for_user(request, code)
    actions.record_read(record, actor=request.user, view="detail")
    return render(request, "measurements/detail.html", presentation.detail_context(request, record))


@require_POST
@role_required(Role.WORKER, Role.LEADER)
def complete(request, code):
    record = get_record_for_user(request, code, write=True)
    try:
        actions.do_complete_record(record, actor=request.user, version=_posted_version(request))
    except actions.StaleVersion:
        messages.error(request, _stale_message())
        return redirect("measurements:detail", code=record.code)
    except actions.Incomplete:
        ctx = presentation.detail_context(request, record)
        ctx["complete_error"] = _("Skemaet kan ikke afsluttes, før alle krævede spørgsmål er besvaret.")
        return render(request, "measurements/detail.html", ctx, status=400)
    except actions.InvalidAnswers as exc:
        ctx = presentation.detail_context(request, record)
        ctx["complete_error"] = _invalid_message(record, exc.issues)
        return render(request, "measurements/detail.html", ctx, status=400)
    messages.success(request, _("Skemaet er afsluttet."))
    return redirect("measurements:detail", code=record.code)


@require_POST
@role_required(Role.WORKER, Role.LEADER)
def discard(request, code):
    record = get_record_for_user(request, code, write=True)
    if record.is_completed:
        messages.error(request, _("Et afsluttet skema kan ikke kasseres; ret det i stedet."))
        return redirect("measurements:detail", code=record.code)
    citizen = record.citizen
    actions.do_discard_draft(record, actor=request.user)
    messages.success(request, _("Kladden er kasseret."))
    return redirect("measurements:list", code=citizen.code)
